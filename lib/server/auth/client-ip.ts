import 'server-only';

type HeaderBag = Headers | Record<string, string | string[] | undefined> | undefined;

/**
 * The client's address as the Next server saw it (first x-forwarded-for hop). Behind a proxy that
 * appends instead of replacing the header, configure the proxy to overwrite it.
 */
export function clientIp(headers: HeaderBag): string {
  const raw = headers instanceof Headers ? headers.get('x-forwarded-for') : headers?.['x-forwarded-for'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value?.split(',')[0]?.trim().slice(0, 64) || 'unknown';
}
