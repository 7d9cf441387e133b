import type { Metadata } from 'next';
import { InvitationActions } from '@/components/invitation-actions';
import { InviteUserForm } from '@/components/invite-user-form';
import { UserAccountActions } from '@/components/user-account-actions';
import { UserTwoFactorActions } from '@/components/user-two-factor-actions';
import { ADMINS } from '@/lib/roles';
import { formatDate, formatDateTime } from '@/lib/format';
import { requireRole } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { listUsers } from '@/lib/server/users/list-users';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const admin = await requireRole(ADMINS, 'page:/admin/users');
  const { users, invitations } = await listUsers(await services(), { organizationId: admin.organizationId });
  return (
    <>
      <h1>Users</h1>
      <section className="panel" aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite someone</h2>
        <p className="muted">
          They get a link to choose their name and password (valid 7 days, single use). Administrators set up two-factor before they can change anything.
          An invitation ends when the administrator who sent it is deactivated or stops being an administrator.
        </p>
        <InviteUserForm />
      </section>
      {invitations.length > 0 && (
        <section className="panel">
          <table>
            <caption className="muted caption-start">Invitations not yet accepted</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invite) => (
                <tr key={invite.id}>
                  <td>{invite.email}</td>
                  <td>{invite.role?.toLowerCase()}</td>
                  <td>{invite.state === 'invited' ? `Invited, link valid until ${formatDateTime(invite.expiresAt)} UTC` : 'Link expired: resend it'}</td>
                  <td>
                    <InvitationActions inviteId={invite.id} email={invite.email ?? ''} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section className="panel">
        <table>
          <caption className="muted caption-start">People who can sign in to {admin.organizationName}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Two-factor</th>
              <th scope="col">Account</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td>{user.name}</td>
                <td>{user.email}</td>
                <td>{user.role.toLowerCase()}</td>
                <td>{user.state === 'active' ? 'Active' : `Deactivated ${formatDate(user.disabledAt!)}`}</td>
                <td>{user.lastSignInAt ? `${formatDateTime(user.lastSignInAt)} UTC` : 'Never'}</td>
                <td>
                  {user.totpEnabledAt ? 'On' : 'Off'}{' '}
                  {user.id === admin.id ? (
                    <span className="muted">(you: another administrator can help)</span>
                  ) : (
                    <UserTwoFactorActions userId={user.id} email={user.email} enabled={user.totpEnabledAt !== null} />
                  )}
                </td>
                <td>
                  {user.id === admin.id ? (
                    <span className="muted">You (password and sessions under Security)</span>
                  ) : (
                    <UserAccountActions userId={user.id} email={user.email} role={user.role} active={user.state === 'active'} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
