import 'server-only';
import type { KeyObject } from 'node:crypto';
import { lookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';
import { env } from '@/lib/server/env';

/** An outbound call Strongroom refused to make, or a response it refused to read. */
export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(
    readonly code: 'url_refused' | 'address_refused' | 'redirect_refused' | 'timeout' | 'response_too_large' | 'network_error',
    message: string,
  ) {
    super(message);
  }
}

export interface OutboundPolicy {
  allowLoopback: boolean;
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  /** Trust anchors (PEM) that replace the system's for the provider's certificate: tests' loopback servers. */
  ca?: string;
}

export const defaultPolicy = (): OutboundPolicy => ({
  allowLoopback: env().OUTBOUND_ALLOW_LOOPBACK === 'true',
  allowPrivate: env().OUTBOUND_ALLOW_PRIVATE === 'true',
  timeoutMs: 10_000,
  maxBytes: 256 * 1024,
});

type AddressClass = 'public' | 'loopback' | 'private' | 'reserved';

/**
 * What kind of address this is, looking through every IPv6 notation that carries an IPv4 address
 * (mapped `::ffff:a.b.c.d`, SIIT `::ffff:0:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`, Teredo `2001::/32`): the IPv4 address inside is what the packet reaches.
 * Only global unicast is public; anything unparseable is reserved.
 */
export function classifyAddress(address: string): AddressClass {
  if (!ipaddr.isValid(address)) return 'reserved';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return classifyIPv4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) return classifyIPv4(embedded);
  switch (v6.range()) {
    case 'unicast':
      return 'public';
    case 'loopback':
      return 'loopback';
    case 'uniqueLocal':
      return 'private';
    default:
      return 'reserved'; // link-local, site-local, multicast, unspecified, local-use NAT64, documentation …
  }
}

function classifyIPv4(v4: ipaddr.IPv4): AddressClass {
  switch (v4.range()) {
    case 'unicast':
      return 'public';
    case 'loopback':
      return 'loopback';
    case 'private':
      return 'private';
    default:
      return 'reserved'; // 0/8, link-local (169.254/16: cloud metadata), CGNAT, multicast, broadcast, 240/4 …
  }
}

function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = v6.parts;
  const fromWords = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const zeros = (from: number, to: number) => p.slice(from, to).every((word) => word === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return fromWords(p[6]!, p[7]!); // IPv4-mapped
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return fromWords(p[6]!, p[7]!); // SIIT (RFC 6145)
  if (zeros(0, 6) && (p[6] !== 0 || p[7]! > 1)) return fromWords(p[6]!, p[7]!); // IPv4-compatible (not :: or ::1)
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return fromWords(p[6]!, p[7]!); // NAT64 well-known prefix
  if (p[0] === 0x2002) return fromWords(p[1]!, p[2]!); // 6to4
  if (p[0] === 0x2001 && p[1] === 0) return fromWords(p[6]! ^ 0xffff, p[7]! ^ 0xffff); // Teredo client, obfuscated
  return null;
}

/** Why an address may not be called under `policy`, or null when it may. */
export function addressRefusal(address: string, policy: Pick<OutboundPolicy, 'allowLoopback' | 'allowPrivate'>): string | null {
  switch (classifyAddress(address)) {
    case 'public':
      return null;
    case 'loopback':
      return policy.allowLoopback ? null : 'this machine (loopback)';
    case 'private':
      return policy.allowPrivate ? null : 'a private network';
    case 'reserved':
      return 'a link-local, unspecified or reserved address';
  }
}

/**
 * Refuses URLs that are not https (plain http only to loopback, when allowed), and hosts written as
 * IP addresses that the policy refuses: the connection does not look those up, so the dial-time
 * check would never see them.
 */
export function checkUrl(raw: string, policy: Pick<OutboundPolicy, 'allowLoopback' | 'allowPrivate'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('url_refused', 'The URL is not valid.');
  }
  if (url.username || url.password) throw new OutboundError('url_refused', 'URLs with credentials in them are refused.');
  // The hostname as the URL parser normalised it (`[::ffff:7f00:1]`, `127.0.0.1` for `0x7f.1`): what is dialled.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host) > 0;
  const refused = literal ? addressRefusal(host, policy) : null;
  if (refused) throw new OutboundError('address_refused', `${host} is ${refused}; refused.`);
  const isLoopbackHost = host === 'localhost' || (literal && classifyAddress(host) === 'loopback');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost && policy.allowLoopback) return url;
  throw new OutboundError('url_refused', `Only https URLs are allowed (${url.protocol}//${url.host} refused).`);
}

/**
 * A DNS lookup that refuses names resolving to an address the policy refuses: given to whatever dials
 * (undici here, Node's http for next-auth's OpenID client), it checks the addresses actually dialled,
 * so a DNS answer cannot change between the check and the call.
 */
export function guardedLookup(policy: Pick<OutboundPolicy, 'allowLoopback' | 'allowPrivate'>) {
  return (hostname: string, options: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const refused = list.map((a) => addressRefusal(a.address, policy)).find(Boolean);
      if (refused) return callback(new OutboundError('address_refused', `${hostname} resolves to ${refused}; refused.`), '', 0);
      if ((options as { all?: boolean }).all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

const agents = new Map<string, Agent>();

function agentFor(policy: OutboundPolicy): Agent {
  const key = `${policy.allowLoopback}:${policy.allowPrivate}:${policy.ca ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy) as never, ...(policy.ca ? { ca: policy.ca } : {}) } });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * An agent that presents a client certificate and key in the TLS handshake, with the same dial-time
 * address check as every outbound call (and the policy's trust anchors, if it names them).
 */
export function clientCertificateAgent(policy: OutboundPolicy, { certificatePem, key }: { certificatePem: string; key: KeyObject }): Agent {
  const pem = key.export({ format: 'pem', type: 'pkcs8' }) as string;
  return new Agent({ connect: { lookup: guardedLookup(policy) as never, cert: certificatePem, key: pem, ...(policy.ca ? { ca: policy.ca } : {}) } });
}

/**
 * The provider's answer as it arrives (the body not read yet), under the same rules as guardedFetch:
 * https only, no refused addresses, redirects refused, the policy's timeout over the whole exchange.
 * `agent` dials instead of the policy's own (a client certificate's agent).
 */
export async function guardedResponse(input: string | URL, init: RequestInit = {}, policy: OutboundPolicy = defaultPolicy(), agent?: Agent): Promise<Response> {
  const url = checkUrl(typeof input === 'string' ? input : input.href, policy);
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(policy.timeoutMs)]) : AbortSignal.timeout(policy.timeoutMs),
      // @ts-expect-error Node's fetch takes an undici dispatcher; DOM types do not know it.
      dispatcher: agent ?? agentFor(policy),
    });
  } catch (error) {
    // The dial-time refusal arrives wrapped by fetch (and by undici's connector): find it.
    for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
      if (cause instanceof OutboundError) throw cause;
      if ((cause as { code?: string }).code === 'address_refused') throw new OutboundError('address_refused', (cause as Error).message);
    }
    if ((error as Error).name === 'TimeoutError') throw new OutboundError('timeout', `No answer from ${url.host} within ${policy.timeoutMs / 1000} s.`);
    throw new OutboundError('network_error', `Could not reach ${url.host}.`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new OutboundError('redirect_refused', `${url.host} answered with a redirect (${response.status}); redirects are not followed.`);
  }
  return response;
}

/**
 * fetch for calls to providers: https only, no private or link-local targets (unless allowed), no
 * redirects, a timeout, and at most `maxBytes` of body (read in full, so callers get a plain Response).
 */
export async function guardedFetch(input: string | URL | Request, init: RequestInit = {}, policy: OutboundPolicy = defaultPolicy()): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const response = await guardedResponse(url, init, policy);
  const body = await readCapped(response, policy.maxBytes, new URL(url).host);
  // 204, 205 and 304 carry no body, and a Response with one for them cannot be built.
  const noBody = response.status === 204 || response.status === 205 || response.status === 304;
  return new Response(noBody ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

async function readCapped(response: Response, maxBytes: number, host: string): Promise<ArrayBuffer> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new OutboundError('response_too_large', `${host} sent a response larger than ${maxBytes / 1024} KiB.`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new OutboundError('response_too_large', `${host} sent a response larger than ${maxBytes / 1024} KiB.`);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
}
