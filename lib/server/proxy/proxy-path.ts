import 'server-only';

/** The longest path and query the proxy forwards. */
const MAX_PATH = 2048;
// RFC 3986 path characters (pchar) and "/"; a query may also hold "?". Anything else (spaces,
// backslashes, control characters, quotes, non-ASCII that a URL parser would have escaped) is refused.
const PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const QUERY = /^\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
/** Escapes that would change where a path goes once a server decodes it: "/", "\", "%" (a second decoding), control characters. */
const DANGEROUS_ESCAPE = /%(2f|5c|25|[01][0-9a-f]|7f)/i;

export type ProxyPath = { ok: true; template: string } | { ok: false; message: string };

/**
 * Whether the path (after `/proxy`, as received: still percent-encoded) and query of a proxied call
 * may be forwarded: no dot segments in any spelling, no escaped slash or backslash or percent, no
 * control characters, no empty segment (`//`), and, when the profile narrows it, under one of
 * `allowed`'s prefixes (segment by segment: `/invoices` allows `/invoices/x`, not `/invoices-admin`).
 * `template` is the path for the audit log, with every segment that is not a plain word replaced by
 * `{}` (ids, invoice numbers and the like are not kept).
 */
export function checkProxyPath(path: string, query: string, allowed?: readonly string[]): ProxyPath {
  if (path.length + query.length > MAX_PATH) return { ok: false, message: `The path and query are over ${MAX_PATH} characters.` };
  if (path !== '' && !path.startsWith('/')) return { ok: false, message: 'The path must start with /.' };
  if (!PATH.test(path) || (query !== '' && !QUERY.test(query))) return { ok: false, message: 'The path or query holds characters that must be percent-encoded, or may not be sent (spaces, backslashes, control characters).' };
  if (/%(?![0-9a-f]{2})/i.test(path + query)) return { ok: false, message: 'The path or query has a malformed percent-escape.' };
  if (DANGEROUS_ESCAPE.test(path) || /%(00|0a|0d)/i.test(query)) return { ok: false, message: 'The path holds an escaped slash, backslash, percent sign or control character; these are refused.' };
  const segments = path.split('/').slice(1);
  for (const [index, segment] of segments.entries()) {
    if (segment === '' && index < segments.length - 1) return { ok: false, message: 'The path has an empty segment (//).' };
    const decoded = decodeURIComponent(segment);
    if (decoded === '.' || decoded === '..') return { ok: false, message: 'The path has a dot segment (. or ..): name the path as it is.' };
  }
  if (allowed && !allowed.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    return { ok: false, message: `This credential's proxy calls only paths under ${allowed.join(', ')}.` };
  }
  return { ok: true, template: templateOf(segments) };
}

/** The base URL with the checked path and query added, or null when the result is not under it. */
export function joinProxyUrl(baseUrl: string, path: string, query: string): URL | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return null;
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  const origin = url.origin;
  url.pathname = `${basePath}${path}`;
  url.search = query;
  url.hash = '';
  // The URL parser must have kept the path as given: nothing resolved, re-escaped or moved elsewhere.
  return url.origin === origin && url.pathname === `${basePath}${path}` ? url : null;
}

const WORD = /^(?:[A-Za-z][A-Za-z_-]*(?:\.[A-Za-z]+)?|v\d+(?:\.\d+)*)$/;

function templateOf(segments: string[]): string {
  if (segments.length === 0) return '/';
  const shown = segments.slice(0, 12).map((segment) => (WORD.test(segment) && segment.length <= 40 ? segment : segment === '' ? '' : '{}'));
  return `/${shown.join('/')}${segments.length > 12 ? '/…' : ''}`;
}
