'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { startKeyRotationAction } from '@/app/(app)/admin/keys/actions';
import { callAction } from '@/lib/schemas/action-result';
import { useStepUp } from '@/components/use-step-up';

/** Starts the rewrap of every key under the current KEK (behind its own step-up). */
export function KeyRotationButton() {
  const router = useRouter();
  const { stepUpForm, needsStepUp } = useStepUp();
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async (): Promise<void> => {
    setBusy(true);
    const result = await callAction(() => startKeyRotationAction());
    setBusy(false);
    if (needsStepUp(result, 'keys.rotate', start)) return;
    setMessage(result.ok ? { text: `Started: ${result.data.total} key${result.data.total === 1 ? '' : 's'} to rewrap, in the background.`, error: false } : { text: result.formError ?? 'Nothing was started.', error: true });
    router.refresh();
  };
  if (stepUpForm) return stepUpForm;
  return (
    <div>
      <button type="button" disabled={busy} onClick={start}>
        {busy ? 'Starting…' : 'Rewrap every key under the current key'}
      </button>
      {message && (
        <p role={message.error ? 'alert' : 'status'} className={message.error ? 'form-error' : undefined}>
          {message.text}
        </p>
      )}
    </div>
  );
}
