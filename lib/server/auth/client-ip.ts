import 'server-only';
import { env } from '@/lib/server/env';
import { clientAddress, parseTrustedProxies, type TrustedProxies } from '@/lib/server/net/trusted-proxies';

type HeaderBag = Headers | Record<string, string | string[] | undefined> | undefined;

let trusted: TrustedProxies | undefined;

/**
 * The client's address, for rate limits and the audit. The peer is the socket's address, which
 * `scripts/serve.mjs` (`npm start`) passes in a header it always overwrites; forwarding headers are
 * read only from proxies listed in TRUSTED_PROXIES. Under `next dev` there is no such server: the
 * address Next.js saw is used, which a client can choose.
 */
export function clientIp(headers: HeaderBag): string {
  const get = (name: string) => {
    const raw = headers instanceof Headers ? headers.get(name) : headers?.[name];
    return (Array.isArray(raw) ? raw.join(',') : raw) ?? null;
  };
  const peerHeader = (globalThis as { strongroomPeerHeader?: string }).strongroomPeerHeader;
  const forwardedFor = get('x-forwarded-for');
  if (!peerHeader) return forwardedFor?.split(',')[0]?.trim().slice(0, 64) || 'unknown';
  trusted ??= parseTrustedProxies(env().TRUSTED_PROXIES);
  return clientAddress({ peer: get(peerHeader) || 'unknown', forwardedFor }, trusted);
}
