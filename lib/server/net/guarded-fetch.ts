import 'server-only';
import { lookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
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
}

export const defaultPolicy = (): OutboundPolicy => ({
  allowLoopback: env().OUTBOUND_ALLOW_LOOPBACK === 'true',
  allowPrivate: env().OUTBOUND_ALLOW_PRIVATE === 'true',
  timeoutMs: 10_000,
  maxBytes: 256 * 1024,
});

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
const neverReachable = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['169.254.0.0', 16], ['100.64.0.0', 10], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) neverReachable.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['fe80::', 10], ['::', 128], ['ff00::', 8]] as const) neverReachable.addSubnet(net, bits, 'ipv6');
const privateRanges = new BlockList();
for (const [net, bits] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) privateRanges.addSubnet(net, bits, 'ipv4');
privateRanges.addSubnet('fc00::', 7, 'ipv6');

/** Why an address may not be called under `policy`, or null when it may. */
export function addressRefusal(address: string, policy: Pick<OutboundPolicy, 'allowLoopback' | 'allowPrivate'>): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const mapped = family === 'ipv6' && address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : null;
  if (mapped) return addressRefusal(mapped, policy);
  if (loopback.check(address, family)) return policy.allowLoopback ? null : 'this machine (loopback)';
  if (neverReachable.check(address, family)) return 'a link-local, unspecified or reserved address';
  if (privateRanges.check(address, family)) return policy.allowPrivate ? null : 'a private network';
  return null;
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
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const isLoopbackHost = host === 'localhost' || (isIP(host) > 0 && loopback.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4'));
  const refused = isIP(host) > 0 ? addressRefusal(host, policy) : null;
  if (refused) throw new OutboundError('address_refused', `${host} is ${refused}; refused.`);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost && policy.allowLoopback) return url;
  throw new OutboundError('url_refused', `Only https URLs are allowed (${url.protocol}//${url.host} refused).`);
}

const agents = new Map<string, Agent>();

// The address check runs when the connection is made, on the addresses actually dialled, so a DNS
// answer cannot change between the check and the call.
function agentFor(policy: OutboundPolicy): Agent {
  const key = `${policy.allowLoopback}:${policy.allowPrivate}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      connect: {
        lookup(hostname, options, callback) {
          lookup(hostname, { ...options, all: true }, (error, addresses) => {
            if (error) return callback(error, '', 0);
            const list = addresses as unknown as LookupAddress[];
            const refused = list.map((a) => addressRefusal(a.address, policy)).find(Boolean);
            if (refused) return callback(new OutboundError('address_refused', `${hostname} resolves to ${refused}; refused.`), '', 0);
            if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
            return callback(null, list[0]!.address, list[0]!.family);
          });
        },
      },
    });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * fetch for calls to providers: https only, no private or link-local targets (unless allowed), no
 * redirects, a timeout, and at most `maxBytes` of body (read in full, so callers get a plain Response).
 */
export async function guardedFetch(input: string | URL | Request, init: RequestInit = {}, policy: OutboundPolicy = defaultPolicy()): Promise<Response> {
  const url = checkUrl(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, policy);
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(policy.timeoutMs),
      // @ts-expect-error Node's fetch takes an undici dispatcher; DOM types do not know it.
      dispatcher: agentFor(policy),
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
  return new Response(await readCapped(response, policy.maxBytes, url.host), { status: response.status, statusText: response.statusText, headers: response.headers });
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
