'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { revokeServiceAccountAction } from '@/app/(app)/admin/service-accounts/actions';
import { StepUpForm } from '@/components/step-up-form';

export function RevokeServiceAccountButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [needsStepUp, setNeedsStepUp] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const revoke = async () => {
    const result = await revokeServiceAccountAction({ id });
    if (!result.ok && result.code === 'STEP_UP_REQUIRED') return setNeedsStepUp(true);
    if (!result.ok) setMessage(result.formError ?? 'Nothing was changed.');
    router.refresh();
  };
  if (needsStepUp) {
    return (
      <StepUpForm
        purpose="service-account.keys"
        onConfirmed={() => {
          setNeedsStepUp(false);
          void revoke();
        }}
      />
    );
  }
  return (
    <>
      <button type="button" className="secondary" aria-label={`Revoke ${name}`} onClick={revoke}>
        Revoke
      </button>
      {message && <span role="status">{message}</span>}
    </>
  );
}
