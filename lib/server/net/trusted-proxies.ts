import 'server-only';
import ipaddr from 'ipaddr.js';

/** Which hops in front of Strongroom may speak for the client: none, a list of addresses/CIDRs, or a hop count. */
export type TrustedProxies = { kind: 'none' } | { kind: 'list'; ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] } | { kind: 'hops'; count: number };

/**
 * Parses TRUSTED_PROXIES: empty (trust no forwarding header), a number of proxies in front (`1`), or
 * comma-separated addresses and CIDRs (`10.0.0.0/8, 192.0.2.7, ::1`). Throws a message naming the bad entry.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const text = value?.trim() ?? '';
  if (!text) return { kind: 'none' };
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count < 1 || count > 10) throw new Error('a hop count must be from 1 to 10');
    return { kind: 'hops', count };
  }
  const ranges = text.split(',').map((entry) => {
    const item = entry.trim();
    const address = item.split('/')[0] ?? '';
    try {
      if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) throw new Error('not strict notation');
      if (item.includes('/')) return normalizeRange(ipaddr.parseCIDR(item));
      const single = ipaddr.process(item);
      return [single, single.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number];
    } catch {
      throw new Error(`"${item}" is not an IP address or CIDR (use addresses and CIDRs separated by commas, or a hop count)`);
    }
  });
  return { kind: 'list', ranges };
}

function normalizeRange([address, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [address, bits];
}

function isTrusted(address: string, trusted: TrustedProxies & { kind: 'list' }): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address); // ::ffff:a.b.c.d as the IPv4 address it is
  return trusted.ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
}

/** Whether the peer that connected is one of the trusted proxies (with a hop count: always, a proxy is in front). */
export function peerIsTrusted(peer: string, trusted: TrustedProxies): boolean {
  return trusted.kind === 'hops' || (trusted.kind === 'list' && isTrusted(peer, trusted));
}

/**
 * The client's address: the peer that connected to us, unless it is a trusted proxy, in which case
 * the `X-Forwarded-For` chain is read from the right, skipping trusted proxies, and the first hop that
 * is not one is the client. Hops a client wrote itself sit left of that and are never read.
 */
export function clientAddress({ peer, forwardedFor }: { peer: string; forwardedFor: string | null }, trusted: TrustedProxies): string {
  const chain = [...(forwardedFor ?? '').split(','), peer].map((hop) => hop.trim()).filter(Boolean);
  const canonical = (address: string) => (ipaddr.isValid(address) ? ipaddr.process(address).toString() : address.slice(0, 64));
  if (trusted.kind === 'none' || chain.length === 1) return canonical(peer);
  if (trusted.kind === 'hops') return canonical(chain[Math.max(0, chain.length - 1 - trusted.count)]!);
  let index = chain.length - 1;
  while (index > 0 && isTrusted(chain[index]!, trusted)) index--;
  return canonical(chain[index]!);
}
