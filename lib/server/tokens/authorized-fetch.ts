import 'server-only';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Services } from '@/lib/server/services';
import { defaultPolicy, guardedFetch, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { invalidateAccessToken } from '@/lib/server/tokens/token-grant';

/**
 * Calls a provider's API with the credential's access token. A 401 means the provider no longer
 * accepts the token: it is dropped, a new one obtained, and the call retried once.
 */
export async function authorizedFetch(
  services: Services,
  { credentialId, actor, policy = defaultPolicy() }: { credentialId: string; actor: Actor; policy?: OutboundPolicy },
  url: string,
  init: RequestInit = {},
): Promise<Response> {
  const call = async () => {
    const token = await getAccessToken(services, { credentialId, actor, policy });
    if (!token.ok) throw new Error(token.error.message);
    const headers = new Headers(init.headers);
    headers.set('authorization', `${token.data.tokenType.toLowerCase() === 'bearer' ? 'Bearer' : token.data.tokenType} ${token.data.accessToken}`);
    return guardedFetch(url, { ...init, headers }, policy);
  };
  const first = await call();
  if (first.status !== 401) return first;
  await invalidateAccessToken(services, credentialId);
  return call();
}
