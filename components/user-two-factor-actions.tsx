'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { resetTwoFactorAction, unlockSecondFactorAction } from '@/app/(app)/admin/users/actions';
import { useStepUp } from '@/components/use-step-up';

export function UserTwoFactorActions({ userId, email, enabled }: { userId: string; email: string; enabled: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const reset = async (): Promise<void> => {
    const result = await resetTwoFactorAction({ userId });
    if (needsStepUp(result, 'user.two-factor', reset)) return;
    setMessage(result.ok ? 'Two-factor reset: they set it up again on their next change of secrets.' : (result.formError ?? 'Nothing was changed.'));
    router.refresh();
  };
  const unlock = async (): Promise<void> => {
    const result = await unlockSecondFactorAction({ userId });
    if (needsStepUp(result, 'user.two-factor', unlock)) return;
    setMessage(result.ok ? 'Unlocked.' : (result.formError ?? 'Nothing was changed.'));
  };
  if (stepUpForm) return stepUpForm;
  return (
    <span className="actions">
      <button
        type="button"
        className="secondary"
        aria-label={`Unlock two-factor for ${email}`}
        onClick={unlock}
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
