'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useRef } from 'react';

export type NavItem = { href: string; label: string } | { label: string; links: { href: string; label: string }[] };

/** The main navigation: links, and groups of them as a menu (a disclosure that closes when a page of it opens). */
export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  const current = (href: string) => pathname === href || pathname.startsWith(`${href}/`);
  return (
    <ul>
      {items.map((item) =>
        'links' in item ? (
          <li key={item.label}>
            <NavMenu label={item.label} active={item.links.some((link) => current(link.href))} pathname={pathname}>
              {item.links.map((link) => (
                <NavLink key={link.href} link={link} current={current(link.href)} />
              ))}
            </NavMenu>
          </li>
        ) : (
          <NavLink key={item.href} link={item} current={current(item.href)} />
        ),
      )}
    </ul>
  );
}

function NavLink({ link, current }: { link: { href: string; label: string }; current: boolean }) {
  return (
    <li>
      <Link href={link.href} aria-current={current ? 'page' : undefined}>
        {link.label}
      </Link>
    </li>
  );
}

function NavMenu({ label, active, pathname, children }: { label: string; active: boolean; pathname: string; children: React.ReactNode }) {
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [pathname]);
  return (
    <details ref={menu} className="nav-menu">
      <summary className={active ? 'active' : undefined}>{label}</summary>
      <ul>{children}</ul>
    </details>
  );
}
