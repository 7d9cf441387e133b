'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { cancelInvitationAction, resendInvitationAction } from '@/app/(app)/admin/users/actions';
import { IssuedLink } from '@/components/issued-link';
import { useStepUp } from '@/components/use-step-up';

/** Resend (a new link; the old one stops working) or cancel an invitation. */
export function InvitationActions({ inviteId, email }: { inviteId: string; email: string }) {
  const router = useRouter();
  const [issued, setIssued] = useState<{ url: string; expiresAt: Date; mailed: boolean } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const resend = async (): Promise<void> => {
    const result = await resendInvitationAction({ inviteId });
    if (needsStepUp(result, 'users', resend)) return;
    if (result.ok) setIssued(result.data);
    else setMessage(result.formError ?? 'No link was made.');
  };
  const cancel = async (): Promise<void> => {
    const result = await cancelInvitationAction({ inviteId });
    if (needsStepUp(result, 'users', cancel)) return;
    setMessage(result.ok ? 'Cancelled.' : (result.formError ?? 'Nothing was changed.'));
    router.refresh();
  };
  if (stepUpForm) return stepUpForm;
  if (issued) return <IssuedLink id="invite-link" what={`New invitation link for ${email}.`} url={issued.url} expiresAt={issued.expiresAt} mailedTo={issued.mailed ? email : null} onDone={() => (setIssued(null), router.refresh())} />;
  return (
    <span className="actions">
      <button type="button" className="secondary" onClick={resend} aria-label={`Resend invitation to ${email}`}>
        Resend
      </button>
      <button type="button" className="secondary" onClick={cancel} aria-label={`Cancel invitation to ${email}`}>
        Cancel
      </button>
      {message && <span role="status">{message}</span>}
    </span>
  );
}
