import { describe, expect, it } from 'vitest';
import { addressRefusal, checkUrl, guardedFetch, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';

const strict: OutboundPolicy = { allowLoopback: false, allowPrivate: false, timeoutMs: 1_000, maxBytes: 1_024 };

describe('outbound guard', () => {
  it.each([
    ['127.0.0.1', 'this machine (loopback)'],
    ['::1', 'this machine (loopback)'],
    ['::ffff:127.0.0.1', 'this machine (loopback)'],
    ['10.1.2.3', 'a private network'],
    ['172.20.0.1', 'a private network'],
    ['192.168.1.10', 'a private network'],
    ['fd00::1', 'a private network'],
    ['169.254.169.254', 'a link-local, unspecified or reserved address'],
    ['fe80::1', 'a link-local, unspecified or reserved address'],
    ['0.0.0.0', 'a link-local, unspecified or reserved address'],
  ])('refuses %s as %s', (address, reason) => {
    expect(addressRefusal(address, strict)).toBe(reason);
  });

  it('lets public addresses through, and loopback or private ones only when allowed', () => {
    expect(addressRefusal('93.184.216.34', strict)).toBeNull();
    expect(addressRefusal('127.0.0.1', { allowLoopback: true, allowPrivate: false })).toBeNull();
    expect(addressRefusal('10.1.2.3', { allowLoopback: false, allowPrivate: true })).toBeNull();
    expect(addressRefusal('169.254.169.254', { allowLoopback: true, allowPrivate: true })).not.toBeNull();
  });

  it.each([
    ['http://api.example.com/token', 'url_refused'],
    ['ftp://api.example.com/token', 'url_refused'],
    ['https://user:pass@api.example.com/token', 'url_refused'],
    ['https://169.254.169.254/latest/meta-data/', 'address_refused'],
    ['https://10.0.0.5/token', 'address_refused'],
    ['https://[::1]/token', 'address_refused'],
    ['not a url', 'url_refused'],
  ])('refuses %s before any connection (%s)', (url, code) => {
    expect(() => checkUrl(url, strict)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a name that resolves to loopback when the connection is made', async () => {
    // localhost resolves to a loopback address; the dial-time lookup refuses it.
    await expect(guardedFetch('https://localhost:65530/token', {}, strict)).rejects.toSatisfy(
      (error: unknown) => error instanceof OutboundError && error.code === 'address_refused',
    );
  });
});
