'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { setDailyDigestAction } from '@/app/(app)/settings/security/actions';

/** One's own daily digest mail: what is expired, expiring and failing, every morning. */
export function DailyDigestToggle({ enabled, mail }: { enabled: boolean; mail: boolean }) {
  const router = useRouter();
  const [saving, setSaving] = useState(false);
  const toggle = async () => {
    setSaving(true);
    await setDailyDigestAction({ enabled: !enabled });
    setSaving(false);
    router.refresh();
  };
  return (
    <>
      <p>
        {enabled ? 'You get a daily mail with what is expired, expiring and failing.' : 'You get mail only when something of yours needs attention (administrators: any credential).'}
        {!mail && ' Mail is not configured on this installation (SMTP_URL), so nothing is sent yet.'}
      </p>
      <button type="button" className="secondary" onClick={toggle} disabled={saving}>
        {enabled ? 'Turn the daily digest off' : 'Turn the daily digest on'}
      </button>
    </>
  );
}
