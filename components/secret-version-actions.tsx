'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { changeCredentialAction, promotePendingAction, testPendingAction } from '@/app/(app)/credentials/actions';
import { FormError } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';

/** Test, promote or discard the pending version; roll back to the previous one. */
export function SecretVersionActions({ credentialId, version, hasPending, canRollBack }: { credentialId: string; version: number; hasPending: boolean; canRollBack: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();

  const run = async (action: () => Promise<{ ok: true; data: unknown } | { ok: false; code?: string; formError?: string }>, done: (data: never) => string | null) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    const result = await action();
    setBusy(false);
    if (needsStepUp(result, 'credentials', () => run(action, done))) return;
    if (!result.ok) setError(result.formError ?? 'Nothing was changed.');
    else setMessage(done(result.data as never));
    router.refresh();
  };

  if (stepUpForm) return stepUpForm;
  return (
    <div className="actions">
      {hasPending && (
        <>
          <button type="button" className="secondary" disabled={busy} onClick={() => run(() => testPendingAction({ credentialId }), (d: { outcome: string; message: string }) => `Pending version ${d.outcome === 'SUCCESS' ? 'passed' : 'failed'}: ${d.message}`)}>
            Test pending version
          </button>
          <button type="button" disabled={busy} onClick={() => run(() => promotePendingAction({ credentialId, version }), () => 'Promoted: the pending secrets are now in use.')}>
            Promote pending version
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => run(() => promotePendingAction({ credentialId, version, discard: true }), () => 'Pending version discarded.')}>
            Discard pending version
          </button>
        </>
      )}
      {canRollBack && (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => run(() => changeCredentialAction('ROLLBACK', { credentialId, version }), (d: { applied: boolean; message?: string }) => (d.applied ? 'Rolled back: the previous secrets are in use again.' : (d.message ?? null)))}
        >
          Roll back to previous version
        </button>
      )}
      {message && <span role="status">{message}</span>}
      <FormError message={error} />
    </div>
  );
}
