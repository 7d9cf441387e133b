'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { backupNowAction } from '@/app/(app)/admin/scheduler/actions';

/** "Back up now" on Admin → Scheduler: runs the backup job at once; its row then says how it went. */
export function BackupNowButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const result = await backupNowAction();
          setBusy(false);
          setMessage(result.ok ? (result.data.ran ? null : 'A backup is running already.') : (result.formError ?? 'No backup was made.'));
          router.refresh();
        }}
      >
        {busy ? 'Backing up…' : 'Back up now'}
      </button>
      {message && <span role="status"> {message}</span>}
    </>
  );
}
