import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLinks, type NavItem } from '@/components/nav-links';
import { SignOutButton } from '@/components/sign-out-button';
import { ADMINS, AUDIT_READERS } from '@/lib/roles';
import { requireUser } from '@/lib/server/auth/session';
import { countPendingRequests } from '@/lib/server/approvals/list-change-requests';
import { keysUsable } from '@/lib/server/crypto/key-health';
import { services } from '@/lib/server/services';

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const items: NavItem[] = [
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/expiring', label: 'Expiring and failing' },
  ];
  if (AUDIT_READERS.includes(user.role)) {
    const waiting = await countPendingRequests(await services(), { organizationId: user.organizationId });
    items.push({ href: '/approvals', label: waiting ? `Approvals (${waiting})` : 'Approvals' }, { href: '/audit', label: 'Audit log' }, { href: '/credentials/deleted', label: 'Deleted' });
  }
  if (ADMINS.includes(user.role)) {
    items.push({
      label: 'Admin',
      links: [
        { href: '/admin/users', label: 'Users' },
        { href: '/admin/service-accounts', label: 'Service accounts' },
        { href: '/admin/webhooks', label: 'Webhooks' },
        { href: '/admin/scheduler', label: 'Scheduler' },
        { href: '/admin/keys', label: 'Keys' },
        { href: '/admin/sign-in', label: 'Sign-in' },
        { href: '/admin/settings', label: 'Settings' },
      ],
    });
  }
  const keys = await keysUsable((await services()).keyring);
  return (
    <>
      <header className="topbar">
        <Link href="/dashboard" className="brand">
          Strongroom
        </Link>
        <nav aria-label="Main">
          <NavLinks items={items} />
        </nav>
        <div className="who">
          <span className="who-name" title={`${user.name} (${user.email})`}>
            {user.name} · {user.role.toLowerCase()} · {user.organizationName}
          </span>
          <Link href="/settings/security">Security</Link>
          <SignOutButton />
        </div>
      </header>
      <main id="main">
        {keys.usable ? null : (
          <p className="notice" role="alert">
            Keys unavailable: the key provider ({keys.provider}) cannot be used right now, so no secret can be opened, tested or changed. Statuses below are still
            true. {ADMINS.includes(user.role) ? <Link href="/admin/keys">Admin → Keys says why.</Link> : 'An administrator has been told in the server log.'}
          </p>
        )}
        {children}
      </main>
    </>
  );
}
