import 'server-only';
import { headers } from 'next/headers';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { clientIp } from '@/lib/server/auth/client-ip';
import type { CurrentUser } from '@/lib/server/auth/session';

/** The signed-in user as an audit actor, with the request's address and user agent. */
export async function requestActor(user: Pick<CurrentUser, 'id' | 'email'>): Promise<Actor> {
  const requestHeaders = await headers();
  return { type: 'USER', id: user.id, label: user.email, ip: clientIp(requestHeaders), userAgent: requestHeaders.get('user-agent') };
}
