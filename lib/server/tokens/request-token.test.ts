import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { requestToken } from '@/lib/server/tokens/request-token';
import { json, startFaultServer, startOidcProvider } from '@/lib/server/test-support/test-servers';

const loopback: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 1_000, maxBytes: 64 * 1024 };

describe('requestToken against oidc-provider', () => {
  let oidc: Awaited<ReturnType<typeof startOidcProvider>>;
  beforeAll(async () => {
    oidc = await startOidcProvider({
      clients: [
        { clientId: 'basic-client', clientSecret: 'basic-secret-0123456789abcdef0123', scope: 'invoices' },
        { clientId: 'post-client', clientSecret: 'post-secret-0123456789abcdef01234', auth: 'client_secret_post', scope: 'invoices' },
      ],
      ttlSeconds: 120,
    });
  });
  afterAll(async () => oidc.close());

  it('obtains a token with client_secret_basic and with client_secret_post', async () => {
    const basic = await requestToken({ tokenUrl: oidc.tokenUrl, clientId: 'basic-client', clientSecret: 'basic-secret-0123456789abcdef0123', clientAuth: 'client_secret_basic', scope: 'invoices' }, loopback);
    expect(basic).toMatchObject({ ok: true, tokenType: expect.stringMatching(/bearer/i), expiresIn: 120, scope: 'invoices' });
    const post = await requestToken({ tokenUrl: oidc.tokenUrl, clientId: 'post-client', clientSecret: 'post-secret-0123456789abcdef01234', clientAuth: 'client_secret_post' }, loopback);
    expect(post).toMatchObject({ ok: true });
    expect(oidc.issued()).toBe(2);
  });

  it('classifies a wrong secret as permanent invalid_client, without echoing it', async () => {
    const result = await requestToken({ tokenUrl: oidc.tokenUrl, clientId: 'basic-client', clientSecret: 'wrong-secret-value', clientAuth: 'client_secret_basic' }, loopback);
    expect(result).toMatchObject({ ok: false, kind: 'permanent', code: 'invalid_client', httpStatus: 401 });
    expect(JSON.stringify(result)).not.toContain('wrong-secret-value');
  });

  it('refuses plain http unless loopback calls are allowed', async () => {
    const result = await requestToken({ tokenUrl: oidc.tokenUrl, clientId: 'basic-client', clientSecret: 'x', clientAuth: 'client_secret_basic' }, { ...loopback, allowLoopback: false });
    // Its host is a loopback address: refused before any connection.
    expect(result).toMatchObject({ ok: false, kind: 'permanent', code: 'address_refused' });
  });
});

describe('requestToken against a misbehaving token endpoint', () => {
  const cases: [string, Parameters<typeof startFaultServer>[0], object][] = [
    ['a 500', (_, __, res) => json(res, 500, { error: 'server_error' }), { kind: 'transient', code: 'server_error', httpStatus: 500 }],
    ['a 429 with Retry-After', (_, __, res) => json(res, 429, { error: 'slow_down' }, { 'retry-after': '7' }), { kind: 'transient', code: 'rate_limited', retryAfterSeconds: 7 }],
    ['an HTML page', (_, __, res) => (res.writeHead(200, { 'content-type': 'text/html' }), res.end('<html>login</html>')), { kind: 'transient', code: 'invalid_response' }],
    ['invalid JSON', (_, __, res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end('{"access_token":')), { kind: 'transient', code: 'invalid_response' }],
    ['no access_token', (_, __, res) => json(res, 200, { token_type: 'bearer', expires_in: 60 }), { kind: 'transient', code: 'invalid_response' }],
    ['a negative expires_in', (_, __, res) => json(res, 200, { access_token: 'a', token_type: 'bearer', expires_in: -5 }), { kind: 'transient', code: 'invalid_response' }],
    ['an absurd expires_in', (_, __, res) => json(res, 200, { access_token: 'a', token_type: 'bearer', expires_in: 10 ** 12 }), { kind: 'transient', code: 'invalid_response' }],
    ['a redirect to another host', (_, __, res) => (res.writeHead(302, { location: 'https://elsewhere.example/token' }), res.end()), { kind: 'permanent', code: 'redirect_refused' }],
    ['a huge body', (_, __, res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end(`{"access_token":"${'x'.repeat(200_000)}"}`)), { kind: 'transient', code: 'response_too_large' }],
    ['no answer in time', () => {}, { kind: 'transient', code: 'timeout' }],
    ['invalid_grant', (_, __, res) => json(res, 400, { error: 'invalid_grant' }), { kind: 'permanent', code: 'invalid_grant' }],
  ];
  it.each(cases)('%s', async (_, handler, expected) => {
    const server = await startFaultServer(handler);
    try {
      const result = await requestToken({ tokenUrl: `${server.url}/token`, clientId: 'c', clientSecret: 's3cret', clientAuth: 'client_secret_basic' }, loopback);
      expect(result).toMatchObject({ ok: false, ...expected });
    } finally {
      await server.close();
    }
  });

  it('assumes a short lifetime when expires_in is missing', async () => {
    const server = await startFaultServer((_, __, res) => json(res, 200, { access_token: 'tok', token_type: 'Bearer' }));
    try {
      expect(await requestToken({ tokenUrl: `${server.url}/token`, clientId: 'c', clientSecret: 's', clientAuth: 'client_secret_basic' }, loopback)).toMatchObject({ ok: true, expiresIn: 300 });
    } finally {
      await server.close();
    }
  });
});
