import 'server-only';
import { headers } from 'next/headers';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { clientIp } from '@/lib/server/auth/client-ip';
import type { CurrentUser } from '@/lib/server/auth/session';

/** Where the request came from (address and user agent), for auditing someone not signed in. */
export async function requestOrigin(): Promise<Pick<Actor, 'ip' | 'userAgent'>> {
  const requestHeaders = await headers();
  return { ip: clientIp(requestHeaders), userAgent: requestHeaders.get('user-agent') };
}

/** The signed-in user as an audit actor, with the request's address and user agent. */
export async function requestActor(user: Pick<CurrentUser, 'id' | 'email'>): Promise<Actor> {
  const requestHeaders = await headers();
  return { type: 'USER', id: user.id, label: user.email, ip: clientIp(requestHeaders), userAgent: requestHeaders.get('user-agent') };
}
