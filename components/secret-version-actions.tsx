'use client';

import { countOf } from '@/lib/format';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { changeCredentialAction, promotePendingAction, testPendingAction } from '@/app/(app)/credentials/actions';
import { FormError } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';

type Confirming = 'PROMOTE' | 'DISCARD' | 'ROLLBACK' | null;

/**
 * Test, promote or discard the pending version; go back to the previous one. Promote, discard and
 * go back each say first, by number, what happens to every version involved, and wait for a yes.
 */
export function SecretVersionActions({
  credentialId,
  version,
  current,
  pending,
  previous,
  rollbackDays,
}: {
  credentialId: string;
  /** The credential's check-and-set version (never shown: people see secret version numbers). */
  version: number;
  current: number | null;
  pending: number | null;
  previous: { number: number; until: string } | null;
  rollbackDays: number;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<Confirming>(null);
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
    setConfirming(null);
    if (!result.ok) setError(result.formError ?? 'Nothing was changed.');
    else setMessage(done(result.data as never));
    router.refresh();
  };

  const kept = `kept as the previous version for ${countOf(rollbackDays, 'day')}, so you can go back to it until then`;
  const confirm = (text: string, yes: string, onYes: () => void, danger = false) => (
    <span className="actions" role="group" aria-label="Confirm">
      <span>{text}</span>
      <button type="button" className={danger ? 'danger' : undefined} disabled={busy} onClick={onYes}>
        {yes}
      </button>
      <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(null)}>
        Cancel
      </button>
    </span>
  );

  if (stepUpForm) return stepUpForm;
  return (
    <div className="actions">
      {pending !== null && confirming === null && (
        <>
          <button type="button" className="secondary" disabled={busy} onClick={() => run(() => testPendingAction({ credentialId }), (d: { outcome: string; message: string }) => `Pending version ${d.outcome === 'SUCCESS' ? 'passed' : 'failed'}: ${d.message}`)}>
            Test pending version {pending}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirming('PROMOTE')}>
            Promote version {pending}…
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming('DISCARD')}>
            Discard version {pending}…
          </button>
        </>
      )}
      {previous && confirming === null && (
        <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming('ROLLBACK')}>
          Go back to version {previous.number}…
        </button>
      )}
      {confirming === 'PROMOTE' &&
        pending !== null &&
        confirm(
          `Version ${pending} becomes the one in use: tokens, tests and the service API use it from now on.${current !== null ? ` Version ${current} is ${kept}${previous ? `; version ${previous.number} is destroyed` : ''}.` : ''}`,
          `Yes, promote version ${pending}`,
          () => run(() => promotePendingAction({ credentialId, version }), (d: { secretVersion: number }) => `Promoted: version ${d.secretVersion} is in use.`),
        )}
      {confirming === 'DISCARD' &&
        pending !== null &&
        confirm(`Version ${pending} is destroyed for good; version ${current ?? '—'} stays in use.`, `Yes, discard version ${pending}`, () =>
          run(() => promotePendingAction({ credentialId, version, discard: true }), () => `Version ${pending} discarded.`),
        true)}
      {confirming === 'ROLLBACK' &&
        previous &&
        confirm(
          `Version ${previous.number} is put back in use.${current !== null ? ` Version ${current} is ${kept}.` : ''}`,
          `Yes, go back to version ${previous.number}`,
          () =>
            run(
              () => changeCredentialAction('ROLLBACK', { credentialId, version }),
              (d: { applied: boolean; message?: string }) => (d.applied ? `Version ${previous.number} is in use again.` : (d.message ?? null)),
            ),
        )}
      {message && <span role="status">{message}</span>}
      <FormError message={error} />
    </div>
  );
}
