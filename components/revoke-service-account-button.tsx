'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { revokeServiceAccountAction } from '@/app/(app)/admin/service-accounts/actions';
import { useStepUp } from '@/components/use-step-up';

export function RevokeServiceAccountButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const { stepUpForm, needsStepUp } = useStepUp();
  const [message, setMessage] = useState<string | null>(null);
  const revoke = async (): Promise<void> => {
    const result = await revokeServiceAccountAction({ id });
    if (needsStepUp(result, 'service-account.keys', revoke)) return;
    if (!result.ok) setMessage(result.formError ?? 'Nothing was changed.');
    router.refresh();
  };
  if (stepUpForm) return stepUpForm;
  return (
    <>
      <button type="button" className="secondary" aria-label={`Revoke ${name}`} onClick={revoke}>
        Revoke
      </button>
      {message && <span role="status">{message}</span>}
    </>
  );
}
