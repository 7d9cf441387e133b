import type { Metadata } from 'next';
import { UserTwoFactorActions } from '@/components/user-two-factor-actions';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { listUsers } from '@/lib/server/auth/list-users';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const admin = await requireRole(ADMINS, 'page:/admin/users');
  const users = await listUsers(await services(), { organizationId: admin.organizationId });
  return (
    <>
      <h1>Users</h1>
      <section className="panel">
        <table>
          <caption className="muted caption-start">
            People who can sign in to {admin.organizationName}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Two-factor</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td>{user.name}</td>
                <td>{user.email}</td>
                <td>{user.role.toLowerCase()}</td>
                <td>{user.disabledAt ? 'Disabled' : 'Active'}</td>
                <td>
                  {user.totpEnabledAt ? 'On' : 'Off'}{' '}
                  {user.id === admin.id ? (
                    <span className="muted">(you: another administrator can help)</span>
                  ) : (
                    <UserTwoFactorActions userId={user.id} email={user.email} enabled={user.totpEnabledAt !== null} />
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
