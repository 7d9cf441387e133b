import { countOf } from '@/lib/format';
import type { Metadata } from 'next';
import { ChangeRequestTable } from '@/components/change-request-table';
import { ADMINS, AUDIT_READERS } from '@/lib/roles';
import { countAdministrators, getApprovalPolicy } from '@/lib/server/approvals/approval-policy';
import { listChangeRequests } from '@/lib/server/approvals/list-change-requests';
import { requireRole } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Approvals' };

export default async function ApprovalsPage() {
  const user = await requireRole(AUDIT_READERS, 'page:/approvals');
  const root = await services();
  const [{ pending, decided }, policy, administrators] = await Promise.all([
    listChangeRequests(root, { organizationId: user.organizationId }),
    getApprovalPolicy(root, { organizationId: user.organizationId }),
    countAdministrators(root, { organizationId: user.organizationId }),
  ]);
  const canDecide = ADMINS.includes(user.role);
  return (
    <>
      <h1>Approvals</h1>
      <p className="muted">
        {policy.requireApproval
          ? `Creating, changing, revoking, deleting, restoring or rolling back a production credential needs a second administrator, and so do making an administrator and turning this policy off. An approval counts only from someone who was an administrator, with the same password and second factor, when the request was made. Requests expire after ${countOf(policy.approvalHours, 'hour')}.`
          : 'Four-eyes approval is off: administrators change production credentials alone (Settings).'}
      </p>
      {policy.requireApproval && administrators < 2 && (
        <p className="form-error" role="status">
          This organization has one administrator, so nobody can approve a request: invite a second administrator (Users), or turn four-eyes approval off (Settings).
        </p>
      )}
      <section className="panel" aria-labelledby="pending-heading">
        <h2 id="pending-heading">Waiting for approval</h2>
        {pending.length === 0 ? (
          <p className="empty">Nothing is waiting for approval.</p>
        ) : (
          <ChangeRequestTable requests={pending} viewerId={user.id} canDecide={canDecide} caption="Change requests waiting for approval, oldest first" />
        )}
      </section>
      <section className="panel" aria-labelledby="decided-heading">
        <h2 id="decided-heading">Decided</h2>
        {decided.length === 0 ? (
          <p className="empty">No request has been decided yet.</p>
        ) : (
          <ChangeRequestTable requests={decided} viewerId={user.id} canDecide={false} caption="The last decided change requests, newest first" />
        )}
      </section>
    </>
  );
}
