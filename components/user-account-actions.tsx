'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { changeRoleAction, issuePasswordResetAction, setUserActiveAction } from '@/app/(app)/admin/users/actions';
import { IssuedLink } from '@/components/issued-link';
import { useStepUp } from '@/components/use-step-up';
import { ROLES, type TRole } from '@/lib/roles';

/** Role, deactivation and password reset of another user; every one after a step-up. */
export function UserAccountActions({ userId, email, role, active }: { userId: string; email: string; role: TRole; active: boolean }) {
  const router = useRouter();
  const [newRole, setNewRole] = useState<TRole>(role);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [reset, setReset] = useState<{ url: string; expiresAt: Date; mailed: boolean } | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const done = (result: { ok: boolean; formError?: string }, success: string) => {
    setMessage(result.ok ? success : (result.formError ?? 'Nothing was changed.'));
    router.refresh();
  };
  const saveRole = async (): Promise<void> => {
    const result = await changeRoleAction({ userId, role: newRole });
    if (needsStepUp(result, 'users', saveRole)) return;
    const requested = result.ok && result.data !== null;
    done(result, requested ? `Making ${email} an administrator needs a second administrator: they were asked (Approvals).` : `Role changed to ${newRole.toLowerCase()}.`);
  };
  const setActive = async (value: boolean): Promise<void> => {
    const result = await setUserActiveAction({ userId, active: value });
    if (!needsStepUp(result, 'users', () => setActive(value))) {
      setConfirming(false);
      done(result, value ? 'Reactivated.' : 'Deactivated: their sessions have ended.');
    }
  };
  const issueReset = async (): Promise<void> => {
    const result = await issuePasswordResetAction({ userId });
    if (needsStepUp(result, 'users', issueReset)) return;
    if (!result.ok) return setMessage(result.formError ?? 'No link was made.');
    if ('mailedOnly' in result.data) return setMessage(`A reset link was mailed to ${email}. An administrator’s link goes only to their own mailbox, never to another administrator’s screen.`);
    setReset(result.data);
  };
  if (stepUpForm) return stepUpForm;
  if (reset) return <IssuedLink id="reset-link" what={`Password reset link for ${email}.`} url={reset.url} expiresAt={reset.expiresAt} mailedTo={reset.mailed ? email : null} onDone={() => setReset(null)} />;
  return (
    <span className="actions">
      <label className="visually-hidden" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select id={`role-${userId}`} value={newRole} onChange={(event) => setNewRole(event.target.value as TRole)}>
        {ROLES.map((value) => (
          <option key={value} value={value}>
            {value.toLowerCase()}
          </option>
        ))}
      </select>
      <button type="button" className="secondary" disabled={newRole === role} onClick={saveRole} aria-label={`Change role of ${email}`}>
        Change role
      </button>
      {active && !confirming && (
        <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={`Deactivate ${email}`}>
          Deactivate
        </button>
      )}
      {active && confirming && (
        <button type="button" className="danger" onClick={() => setActive(false)} aria-label={`Confirm: deactivate ${email}`}>
          Deactivate {email}: sign them out now
        </button>
      )}
      {!active && (
        <button type="button" className="secondary" onClick={() => setActive(true)} aria-label={`Reactivate ${email}`}>
          Reactivate
        </button>
      )}
      {active && (
        <button type="button" className="secondary" onClick={issueReset} aria-label={`Password reset link for ${email}`}>
          Reset password
        </button>
      )}
      {message && <span role="status">{message}</span>}
    </span>
  );
}
