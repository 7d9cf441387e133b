'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { approveChangeRequestAction, closeChangeRequestAction } from '@/app/(app)/approvals/actions';
import { FormError } from '@/components/form/fields';
import { IssuedLink } from '@/components/issued-link';
import { useStepUp } from '@/components/use-step-up';

/** Approve (with a step-up), reject with a reason, or withdraw one's own request. */
export function ChangeRequestActions({ requestId, mine, label }: { requestId: string; mine: boolean; label: string }) {
  const router = useRouter();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { stepUpForm, needsStepUp } = useStepUp();
  const [invitation, setInvitation] = useState<{ url: string; expiresAt: Date; mailed: boolean; email: string } | null>(null);

  const settle = (result: { ok: boolean; formError?: string; fieldErrors?: Record<string, string[]> }) => {
    setBusy(false);
    if (!result.ok) setMessage(result.fieldErrors?.reason?.[0] ?? result.formError ?? 'Nothing was changed.');
    router.refresh();
  };
  const approve = async () => {
    setBusy(true);
    const result = await approveChangeRequestAction({ requestId });
    if (needsStepUp(result, 'credentials', approve)) return setBusy(false);
    if (result.ok && result.data.invitation) return (setBusy(false), setInvitation(result.data.invitation));
    settle(result);
  };

  if (stepUpForm) return stepUpForm;
  if (invitation) {
    return (
      <IssuedLink
        id={`invitation-${requestId}`}
        what={`Approved: the invitation link for ${invitation.email}, issued by you.`}
        url={invitation.url}
        expiresAt={invitation.expiresAt}
        mailedTo={invitation.mailed ? invitation.email : null}
        onDone={() => (setInvitation(null), router.refresh())}
      />
    );
  }
  if (mine) {
    return (
      <span className="actions">
        <span className="muted">Waiting for another administrator.</span>
        <button type="button" className="secondary" disabled={busy} onClick={async () => (setBusy(true), settle(await closeChangeRequestAction({ requestId, withdraw: true })))} aria-label={`Withdraw the request for ${label}`}>
          Withdraw
        </button>
        <FormError message={message} />
      </span>
    );
  }
  return (
    <span className="actions">
      <button type="button" disabled={busy} onClick={approve} aria-label={`Approve the request for ${label}`}>
        Approve
      </button>
      {!rejecting ? (
        <button type="button" className="secondary" onClick={() => setRejecting(true)} aria-label={`Reject the request for ${label}`}>
          Reject…
        </button>
      ) : (
        <span className="actions" role="group" aria-label="Reject with a reason">
          <label htmlFor={`reason-${requestId}`}>Reason</label>
          <input id={`reason-${requestId}`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          <button type="button" className="danger" disabled={busy} onClick={async () => (setBusy(true), settle(await closeChangeRequestAction({ requestId, reason })))}>
            Reject
          </button>
        </span>
      )}
      <FormError message={message} />
    </span>
  );
}
