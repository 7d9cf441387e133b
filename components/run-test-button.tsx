'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { testCredentialAction } from '@/app/(app)/credentials/actions';

export function RunTestButton({ credentialId }: { credentialId: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <span className="actions">
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const result = await testCredentialAction({ credentialId });
          setBusy(false);
          setMessage(result.ok ? `${result.data.outcome === 'SUCCESS' ? 'Succeeded' : 'Failed'}: ${result.data.message} (${result.data.durationMs} ms)` : (result.formError ?? 'The test could not run.'));
          router.refresh();
        }}
      >
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      {message && <span role="status">{message}</span>}
    </span>
  );
}
