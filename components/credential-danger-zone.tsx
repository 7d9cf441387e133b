'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { changeCredentialAction } from '@/app/(app)/credentials/actions';
import { useStepUp } from '@/components/use-step-up';
import { FormError } from '@/components/form/fields';

type Kind = 'REVOKE' | 'DELETE' | 'RESTORE';

/** Revoke, delete and restore, each confirmed in place; in production they may wait for a second administrator. */
export function CredentialDangerZone({ credentialId, version, revoked, deleted }: { credentialId: string; version: number; revoked: boolean; deleted: boolean }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState<Kind | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { stepUpForm, needsStepUp } = useStepUp();

  const run = async (kind: Kind) => {
    setBusy(true);
    const result = await changeCredentialAction(kind, { credentialId, version });
    setBusy(false);
    if (needsStepUp(result, 'credentials', () => run(kind))) return;
    setConfirming(null);
    if (!result.ok) setMessage(result.formError ?? 'Nothing was changed.');
    else if (!result.data.applied) setNotice(result.data.message);
    else router.refresh();
  };

  if (stepUpForm) return stepUpForm;
  if (notice) return <p role="status">{notice}</p>;

  if (deleted) {
    return (
      <>
        <button type="button" disabled={busy} onClick={() => run('RESTORE')}>
          Restore
        </button>
        <FormError message={message} />
      </>
    );
  }
  return (
    <>
      {!revoked && confirming !== 'REVOKE' && (
        <button type="button" className="danger" onClick={() => setConfirming('REVOKE')}>
          Revoke…
        </button>
      )}
      {confirming === 'REVOKE' && (
        <span className="actions" role="group" aria-label="Confirm revoke">
          <span>Revoking destroys the stored secrets for good.</span>
          <button type="button" className="danger" disabled={busy} onClick={() => run('REVOKE')}>
            Yes, revoke
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </span>
      )}
      {confirming !== 'DELETE' && (
        <button type="button" className="secondary" onClick={() => setConfirming('DELETE')}>
          Delete…
        </button>
      )}
      {confirming === 'DELETE' && (
        <span className="actions" role="group" aria-label="Confirm delete">
          <span>Deleted credentials can be restored for 30 days.</span>
          <button type="button" className="danger" disabled={busy} onClick={() => run('DELETE')}>
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
