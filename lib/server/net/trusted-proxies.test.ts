import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustedProxies } from '@/lib/server/net/trusted-proxies';

describe('client address behind proxies', () => {
  const none = parseTrustedProxies('');
  const lb = parseTrustedProxies('10.0.0.0/8, 192.0.2.7');

  it('trusts no forwarding header unless configured: a spoofed one changes nothing', () => {
    expect(clientAddress({ peer: '203.0.113.9', forwardedFor: '198.51.100.1' }, none)).toBe('203.0.113.9');
    expect(clientAddress({ peer: '::ffff:203.0.113.9', forwardedFor: null }, none)).toBe('203.0.113.9');
  });

  it('reads the chain from the right, skipping trusted proxies; what a client prepends is never read', () => {
    expect(clientAddress({ peer: '10.1.2.3', forwardedFor: '203.0.113.9' }, lb)).toBe('203.0.113.9');
    expect(clientAddress({ peer: '10.1.2.3', forwardedFor: '6.6.6.6, 203.0.113.9, 192.0.2.7' }, lb)).toBe('203.0.113.9');
    // A client that is not a proxy: its header is ignored.
    expect(clientAddress({ peer: '203.0.113.9', forwardedFor: '10.9.9.9' }, lb)).toBe('203.0.113.9');
    // Only proxies in the chain: the leftmost is the best we know.
    expect(clientAddress({ peer: '10.1.2.3', forwardedFor: '10.4.4.4' }, lb)).toBe('10.4.4.4');
    expect(clientAddress({ peer: '::ffff:10.1.2.3', forwardedFor: 'garbage, 203.0.113.9' }, lb)).toBe('203.0.113.9');
  });

  it('with a hop count, takes the hop that many places left of the peer', () => {
    const one = parseTrustedProxies('1');
    expect(clientAddress({ peer: '10.1.2.3', forwardedFor: '6.6.6.6, 203.0.113.9' }, one)).toBe('203.0.113.9');
    expect(clientAddress({ peer: '10.1.2.3', forwardedFor: null }, one)).toBe('10.1.2.3');
    expect(clientAddress({ peer: '10.1.2.3', forwardedFor: '203.0.113.9' }, parseTrustedProxies('3'))).toBe('203.0.113.9');
  });

  it.each(['10.0.0.0/33', 'proxy.internal', '1.2.3', '0', '11', '10.0.0.1,,10.0.0.2'])('refuses TRUSTED_PROXIES=%j with a message', (value) => {
    expect(() => parseTrustedProxies(value)).toThrow(/not an IP address or CIDR|hop count/);
  });
});
