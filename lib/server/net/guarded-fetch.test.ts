import { describe, expect, it } from 'vitest';
import { addressRefusal, checkUrl, guardedFetch, guardedLookup, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';

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

  // Every notation of a refused IPv4 address, as `new URL()` normalises it: the hostname the guard sees.
  it.each([
    ['https://[::ffff:127.0.0.1]:8443/token', '[::ffff:7f00:1]', 'this machine (loopback)'],
    ['https://[::ffff:169.254.169.254]/latest', '[::ffff:a9fe:a9fe]', 'a link-local, unspecified or reserved address'],
    ['https://[::ffff:10.0.0.5]/token', '[::ffff:a00:5]', 'a private network'],
    ['https://[::ffff:0:127.0.0.1]/token', '[::ffff:0:7f00:1]', 'this machine (loopback)'],
    ['https://[::127.0.0.1]/token', '[::7f00:1]', 'this machine (loopback)'],
    ['https://[::169.254.169.254]/token', '[::a9fe:a9fe]', 'a link-local, unspecified or reserved address'],
    ['https://[64:ff9b::127.0.0.1]/token', '[64:ff9b::7f00:1]', 'this machine (loopback)'],
    ['https://[64:ff9b::10.1.2.3]/token', '[64:ff9b::a01:203]', 'a private network'],
    ['https://[64:ff9b:1::a9fe:a9fe]/token', '[64:ff9b:1::a9fe:a9fe]', 'a link-local, unspecified or reserved address'],
    ['https://[2002:7f00:1::1]/token', '[2002:7f00:1::1]', 'this machine (loopback)'],
    ['https://[2002:a9fe:a9fe::]/token', '[2002:a9fe:a9fe::]', 'a link-local, unspecified or reserved address'],
    ['https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/token', '[2001:0:4136:e378:8000:63bf:80ff:fffe]', 'this machine (loopback)'],
    ['https://[::]/token', '[::]', 'a link-local, unspecified or reserved address'],
    ['https://[fe80::1]/token', '[fe80::1]', 'a link-local, unspecified or reserved address'],
    ['https://[fec0::1]/token', '[fec0::1]', 'a link-local, unspecified or reserved address'],
    ['https://0x7f.1/token', '127.0.0.1', 'this machine (loopback)'],
    ['https://2130706433/token', '127.0.0.1', 'this machine (loopback)'],
    ['https://0251.0376.0251.0376/token', '169.254.169.254', 'a link-local, unspecified or reserved address'],
    ['https://100.64.0.1/token', '100.64.0.1', 'a link-local, unspecified or reserved address'],
    ['https://255.255.255.255/token', '255.255.255.255', 'a link-local, unspecified or reserved address'],
  ])('refuses %s (hostname %s) as %s', (url, hostname, reason) => {
    expect(new URL(url).hostname).toBe(hostname);
    expect(addressRefusal(hostname.replace(/^\[|\]$/g, ''), strict)).toBe(reason);
    expect(() => checkUrl(url, strict)).toThrow(expect.objectContaining({ code: 'address_refused' }));
  });

  it('lets public addresses through in every notation, NAT64 of a public address included', () => {
    for (const address of ['93.184.216.34', '::ffff:5db8:d822', '64:ff9b::5db8:d822', '2002:5db8:d822::1', '2606:4700::1111']) {
      expect(addressRefusal(address, strict)).toBeNull();
    }
    expect(checkUrl('https://[2606:4700::1111]/token', strict).hostname).toBe('[2606:4700::1111]');
  });

  it('allows a mapped loopback address only under the loopback allowance, and treats it as loopback for http', () => {
    const loopbackOnly = { allowLoopback: true, allowPrivate: false };
    expect(checkUrl('http://[::ffff:127.0.0.1]:8080/token', loopbackOnly).port).toBe('8080');
    expect(() => checkUrl('https://[::ffff:10.0.0.1]/token', loopbackOnly)).toThrow(expect.objectContaining({ code: 'address_refused' }));
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

  it('gives Node’s http (next-auth’s OpenID client) the same lookup: a name of a refused address is refused, allowed ones pass', async () => {
    const resolve = (policy: Pick<OutboundPolicy, 'allowLoopback' | 'allowPrivate'>) =>
      new Promise<string>((done, failed) => guardedLookup(policy)('localhost', {}, (error, address) => (error ? failed(error) : done(address as string))));
    await expect(resolve(strict)).rejects.toSatisfy((error: unknown) => error instanceof OutboundError && error.code === 'address_refused');
    expect(await resolve({ ...strict, allowLoopback: true })).toMatch(/^(127\.|::1$)/);
  });
});
