import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLinks } from '@/components/nav-links';
import { SignOutButton } from '@/components/sign-out-button';
import { ADMINS, AUDIT_READERS } from '@/lib/roles';
import { requireUser } from '@/lib/server/auth/session';
import { countPendingRequests } from '@/lib/server/approvals/list-change-requests';
import { services } from '@/lib/server/services';

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const links = [
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/expiring', label: 'Expiring and failing' },
  ];
  const waiting = AUDIT_READERS.includes(user.role) ? await countPendingRequests(await services(), { organizationId: user.organizationId }) : 0;
  if (AUDIT_READERS.includes(user.role)) links.push({ href: '/approvals', label: waiting ? `Approvals (${waiting})` : 'Approvals' }, { href: '/credentials/deleted', label: 'Deleted' }, { href: '/audit', label: 'Audit log' });
  if (ADMINS.includes(user.role)) links.push({ href: '/admin/users', label: 'Users' }, { href: '/admin/service-accounts', label: 'Service accounts' }, { href: '/admin/webhooks', label: 'Webhooks' }, { href: '/admin/settings', label: 'Settings' }, { href: '/admin/scheduler', label: 'Scheduler' });
  links.push({ href: '/settings/security', label: 'Security' });
  return (
    <>
      <header className="topbar">
        <Link href="/dashboard" className="brand">
          Strongroom
        </Link>
        <nav aria-label="Main">
          <NavLinks links={links} />
        </nav>
        <div className="who">
          <span>
            {user.name} · {user.role.toLowerCase()} · {user.organizationName}
          </span>
          <SignOutButton />
        </div>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
