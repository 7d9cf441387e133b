'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { resetTwoFactorAction, unlockSecondFactorAction } from '@/app/(app)/admin/users/actions';
import { StepUpForm } from '@/components/step-up-form';

export function UserTwoFactorActions({ userId, email, enabled }: { userId: string; email: string; enabled: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const [needsStepUp, setNeedsStepUp] = useState(false);
  const reset = async () => {
    const result = await resetTwoFactorAction({ userId });
    if (!result.ok && result.code === 'STEP_UP_REQUIRED') return setNeedsStepUp(true);
    setMessage(result.ok ? 'Two-factor reset: they set it up again on their next change of secrets.' : (result.formError ?? 'Nothing was changed.'));
    router.refresh();
  };
  if (needsStepUp) {
    return (
      <StepUpForm
        purpose="user.reset-two-factor"
        onConfirmed={() => {
          setNeedsStepUp(false);
          void reset();
        }}
      />
    );
  }
  return (
    <span className="actions">
      <button
        type="button"
        className="secondary"
        aria-label={`Unlock two-factor for ${email}`}
        onClick={async () => {
          const result = await unlockSecondFactorAction({ userId });
          setMessage(result.ok ? 'Unlocked.' : (result.formError ?? 'Nothing was changed.'));
        }}
      >
        Unlock
      </button>
      {enabled && (
        <button type="button" className="secondary" aria-label={`Reset two-factor for ${email}`} onClick={reset}>
          Reset two-factor
        </button>
      )}
      {message && <span role="status">{message}</span>}
    </span>
  );
}
