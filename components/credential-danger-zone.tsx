'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { deleteCredentialAction, revokeCredentialAction } from '@/app/(app)/credentials/actions';
import { useStepUp } from '@/components/use-step-up';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';
import { FormError } from '@/components/form/fields';

type Pending = 'revoke' | 'delete' | null;

/** Revoke, delete and restore, each confirmed in place. */
export function CredentialDangerZone({ credentialId, version, revoked, deleted }: { credentialId: string; version: number; revoked: boolean; deleted: boolean }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState<Pending>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { stepUpForm, needsStepUp } = useStepUp();

  const run = async (purpose: TStepUpPurpose, action: () => Promise<{ ok: boolean; code?: string; formError?: string }>) => {
    setBusy(true);
    const result = await action();
    setBusy(false);
    if (needsStepUp(result, purpose, () => run(purpose, action))) return;
    setConfirming(null);
    if (!result.ok) setMessage(result.formError ?? 'Nothing was changed.');
    else router.refresh();
  };

  if (stepUpForm) return stepUpForm;

  if (deleted) {
    return (
      <>
        <button type="button" disabled={busy} onClick={() => run('credentials', () => deleteCredentialAction({ credentialId, version, restore: true }))}>
          Restore
        </button>
        <FormError message={message} />
      </>
    );
  }
  return (
    <>
      {!revoked && confirming !== 'revoke' && (
        <button type="button" className="danger" onClick={() => setConfirming('revoke')}>
          Revoke…
        </button>
      )}
      {confirming === 'revoke' && (
        <span className="actions" role="group" aria-label="Confirm revoke">
          <span>Revoking destroys the stored secrets for good.</span>
          <button type="button" className="danger" disabled={busy} onClick={() => run('credentials', () => revokeCredentialAction({ credentialId, version }))}>
            Yes, revoke
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </span>
      )}
      {confirming !== 'delete' && (
        <button type="button" className="secondary" onClick={() => setConfirming('delete')}>
          Delete…
        </button>
      )}
      {confirming === 'delete' && (
        <span className="actions" role="group" aria-label="Confirm delete">
          <span>Deleted credentials can be restored for 30 days.</span>
          <button type="button" className="danger" disabled={busy} onClick={() => run('credentials', () => deleteCredentialAction({ credentialId, version }))}>
            Yes, delete
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </span>
      )}
      <FormError message={message} />
    </>
  );
}
