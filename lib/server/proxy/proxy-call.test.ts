import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nowMs, setClock } from '@/lib/server/clock';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { forgetOpened } from '@/lib/server/credentials/opened-memory';
import { updateCredential } from '@/lib/server/credentials/update-credential';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { PROXY_MAX_RESPONSE_BYTES, FORCED_REFRESH_COOLDOWN_MS, proxyCall, type ProxyRequest } from '@/lib/server/proxy/proxy-call';
import { checkProxyPath } from '@/lib/server/proxy/proxy-path';
import { scrubbedAndCapped } from '@/lib/server/proxy/scrub-stream';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { issueCertificate, makeCertificate } from '@/lib/server/test-support/certificates';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { json, listen, startOidcProvider } from '@/lib/server/test-support/test-servers';
import { flightsSettled } from '@/lib/server/tokens/single-flight';
import { binarySecurityTokenOf } from '@/lib/server/zatca/fatoora-api';

const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 5_000, maxBytes: 64 * 1024 };
const actor = { type: 'SYSTEM' as const };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('proxied paths (pure)', () => {
  it('takes paths under the base as written, and names them without ids for the audit', () => {
    expect(checkProxyPath('/invoices/reporting/single', '')).toEqual({ ok: true, template: '/invoices/reporting/single' });
    expect(checkProxyPath('/api/v1.0/documents/F9D425P6DS7D8IU/details', '?page=2')).toEqual({ ok: true, template: '/api/v1.0/documents/{}/details' });
    expect(checkProxyPath('', '')).toEqual({ ok: true, template: '/' });
    expect(checkProxyPath('/files/report%20march.pdf', '')).toMatchObject({ ok: true });
  });

  it.each([
    ['/invoices/%2e%2e/auth', 'dot segment'],
    ['/invoices/%2E', 'dot segment'],
    ['/%2e%2e%2fauth', 'escaped slash'],
    ['/..%2fauth', 'escaped slash'],
    ['/a%5c..%5cauth', 'escaped slash'],
    ['/%252e%252e/auth', 'escaped slash'],
    ['/a//b', 'empty segment'],
    ['//evil.example/x', 'empty segment'],
    ['https://evil.example/x', 'must start with /'],
    ['/a\\b', 'characters'],
    ['/a b', 'characters'],
    ['/a\r\nHost: evil', 'characters'],
    ['/a\u0000', 'characters'],
    ['/a%00', 'control character'],
    ['/a%0d%0aHost:evil', 'control character'],
    ['/a%zz', 'malformed'],
  ])('refuses %s (%s)', (path, why) => {
    const checked = checkProxyPath(path, '');
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.message).toMatch(new RegExp(why.replace(/ /g, '.*'), 'i'));
  });

  it('refuses a query with a line break, and paths outside the profile’s prefixes segment by segment', () => {
    expect(checkProxyPath('/x', '?a=%0d%0aSet-Cookie:1')).toMatchObject({ ok: false });
    const allowed = ['/sessions', '/invoices'];
    expect(checkProxyPath('/invoices', '', allowed)).toMatchObject({ ok: true });
    expect(checkProxyPath('/invoices/query/metadata', '', allowed)).toMatchObject({ ok: true });
    expect(checkProxyPath('/invoices-admin', '', allowed)).toMatchObject({ ok: false, message: expect.stringContaining('/sessions, /invoices') });
    expect(checkProxyPath('/auth/challenge', '', allowed)).toMatchObject({ ok: false });
    expect(checkProxyPath('/Invoices', '', allowed)).toMatchObject({ ok: false });
  });
});

describe('scrubbing a streamed answer (pure)', () => {
  const streamOf = (chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(Buffer.from(chunk));
        controller.close();
      },
    });
  const text = async (stream: ReadableStream<Uint8Array>) => Buffer.from(await new Response(stream).arrayBuffer()).toString();

  it('replaces a secret split across chunks, and one at the very end', async () => {
    const secret = 'tok_0123456789abcdef';
    const { stream, finished } = scrubbedAndCapped(streamOf(['{"echo":"Bearer tok_0123', '456789', 'abcdef","again":"', secret]), { secrets: [secret], maxBytes: 1024 });
    expect(await text(stream)).toBe('{"echo":"Bearer [redacted]","again":"[redacted]');
    expect(await finished).toEqual({ bytes: 67, complete: true });
  });

  it('passes a body without secrets through unchanged, byte for byte', async () => {
    const body = randomBytes(50_000).toString('base64');
    const chunks = body.match(/.{1,777}/gs)!;
    const { stream } = scrubbedAndCapped(streamOf(chunks), { secrets: ['not-in-there-0123456789'], maxBytes: 1024 * 1024 });
    expect(await text(stream)).toBe(body);
  });

  it('cuts a body off with an error past its cap', async () => {
    const { stream, finished } = scrubbedAndCapped(streamOf(['a'.repeat(600), 'b'.repeat(600)]), { secrets: [], maxBytes: 1000 });
    await expect(text(stream)).rejects.toThrow();
    expect(await finished).toEqual({ bytes: 1200, complete: false });
  });
});

describe.each(testDatabaseKinds())('the proxy on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  const entities: Record<string, string> = {};
  const servers: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
    for (const entity of await db.prisma.legalEntity.findMany()) entities[entity.country] ??= entity.id;
    organizationId = (await db.prisma.legalEntity.findFirstOrThrow()).organizationId;
    forgetOpened();
  });
  let restoreClock = () => {};
  afterEach(async () => {
    await flightsSettled();
    restoreClock();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  afterAll(async () => db.close());

  const serve = async (handler: Parameters<typeof listen>[0]) => {
    const server = await listen(handler);
    servers.push(server);
    return server;
  };
  const create = async (profile: string, values: Record<string, string>, country = 'AE') => {
    const result = await createCredential(services, {
      actor,
      organizationId,
      input: { legalEntityId: entities[country]!, profile: profile as never, environment: 'SANDBOX', label: `${profile} ${randomBytes(3).toString('hex')}`, values },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return { id: result.data.id, profile, version: result.data.version };
  };
  const call = (credential: { id: string; profile: string; version: number }, request: Partial<ProxyRequest> & { headers?: Headers }, usePolicy = policy) =>
    proxyCall(services, { actor, credential, request: { method: 'GET', path: '/', query: '', headers: new Headers(), body: null, ...request }, policy: usePolicy });
  const answered = async (outcome: Awaited<ReturnType<typeof call>>) => {
    if (!outcome.ok) throw new Error(`${outcome.refusal.status} ${outcome.refusal.code}: ${outcome.refusal.message}`);
    return { status: outcome.data.response.status, headers: outcome.data.response.headers, text: await outcome.data.response.text(), finished: await outcome.data.finished, retried: outcome.data.retried };
  };

  it('an expired token: the provider answers 401 once, the proxy gets a new token and retries, the caller sees one 200', async () => {
    const clientSecret = 'client-secret-value-1234567890';
    const oidc = await startOidcProvider({ clients: [{ clientId: 'erp', clientSecret }], introspection: true, ttlSeconds: 900 });
    servers.push(oidc);
    const expired = new Set<string>();
    let calls = 0;
    const api = await serve((req, res) => {
      calls++;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      void fetch(oidc.introspectionUrl, { method: 'POST', headers: { authorization: basic('erp', clientSecret), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) })
        .then((r) => r.json() as Promise<{ active: boolean }>)
        .then(({ active }) => {
          if (!active || expired.has(token)) return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
          // The provider ends the first token it sees early (as a rotation or a revocation would).
          if (expired.size === 0) return expired.add(token), json(res, 401, { error: 'invalid_token' });
          json(res, 200, { path: req.url, authorization: req.headers.authorization });
        });
    });
    const credential = await create('oauth2-client-credentials', { tokenUrl: oidc.tokenUrl, clientId: 'erp', clientSecret, clientAuth: 'client_secret_basic', scope: 'invoices', apiBaseUrl: `${api.url}/v1` }, 'MY');

    const first = await answered(await call(credential, { path: '/documents/42', query: '?page=1' }));
    expect(first).toMatchObject({ status: 200, retried: true, finished: { complete: true } });
    // The provider echoed the token it was sent: the caller sees it scrubbed.
    expect(JSON.parse(first.text)).toEqual({ path: '/v1/documents/42?page=1', authorization: 'Bearer [redacted]' });
    expect(calls).toBe(2);
    expect(oidc.issued()).toBe(2);

    // The new token is kept: the next call makes one request and fetches no token.
    expect(await answered(await call(credential, { path: '/documents/43' }))).toMatchObject({ status: 200, retried: false });
    expect([calls, oidc.issued()]).toEqual([3, 2]);
  });

  it('a provider that refuses every token: one new token and retry, then its 401 passed on until the cooldown is over', async () => {
    const clientSecret = 'client-secret-value-abcdefabcdef';
    const oidc = await startOidcProvider({ clients: [{ clientId: 'erp', clientSecret }], ttlSeconds: 900 });
    servers.push(oidc);
    const api = await serve((_req, res) => json(res, 401, { error: 'insufficient_scope' }));
    const credential = await create('oauth2-client-credentials', { tokenUrl: oidc.tokenUrl, clientId: 'erp', clientSecret, clientAuth: 'client_secret_basic', scope: 'invoices', apiBaseUrl: api.url }, 'MY');
    let clock = nowMs();
    restoreClock = setClock(() => clock);

    expect(await answered(await call(credential, { path: '/x' }))).toMatchObject({ status: 401, retried: true });
    expect(oidc.issued()).toBe(2);
    expect(await answered(await call(credential, { path: '/x' }))).toMatchObject({ status: 401, retried: false });
    expect(oidc.issued()).toBe(2);
    clock += FORCED_REFRESH_COOLDOWN_MS + 1;
    expect(await answered(await call(credential, { path: '/x' }))).toMatchObject({ status: 401, retried: true });
    expect(oidc.issued()).toBe(3);
  });

  it('an API key: sent in its header, never the caller’s keys or cookies; echoes scrubbed, hop-by-hop headers and cookies dropped; a new version sends the new key', async () => {
    const apiKey = 'pk_live_0123456789abcdefghij';
    const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];
    const api = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: { ...req.headers }, body });
        res.writeHead(201, {
          'content-type': 'application/json',
          'set-cookie': 'session=abc; HttpOnly',
          'x-echo': `key=${req.headers['x-provider-key']}`,
          connection: 'x-hop',
          'x-hop': 'hop-by-hop',
          'x-request-ref': 'R-1',
        });
        res.end(JSON.stringify({ youSent: req.headers['x-provider-key'], escaped: encodeURIComponent(String(req.headers['x-provider-key'])) }));
      });
    });
    const credential = await create('api-key', { baseUrl: `${api.url}/base/`, headerName: 'X-Provider-Key', apiKey });
    const headers = new Headers({
      authorization: 'Bearer sr_callers_own_strongroom_key_000000000000000000000',
      'x-api-key': 'sr_callers_own_strongroom_key_000000000000000000000',
      cookie: 'strongroom=session',
      'x-forwarded-for': '203.0.113.9',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    const answer = await answered(await call(credential, { method: 'POST', path: '/v1/invoices', query: '?draft=1', headers, body: Buffer.from('{"invoice":1}') }));
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/base/v1/invoices?draft=1', body: '{"invoice":1}' });
    expect(seen[0]!.headers).toMatchObject({ 'x-provider-key': apiKey, 'content-type': 'application/json', accept: 'application/json' });
    for (const name of ['authorization', 'x-api-key', 'cookie', 'x-forwarded-for']) expect(seen[0]!.headers).not.toHaveProperty(name);

    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toEqual({ youSent: '[redacted]', escaped: '[redacted]' });
    expect(answer.text).not.toContain(apiKey);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('x-request-ref')).toBe('R-1');
    expect(answer.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    for (const name of ['set-cookie', 'x-echo', 'x-hop', 'connection']) expect(answer.headers.has(name)).toBe(false);

    // Opened once for both calls of a version (audited), again for the next version.
    await answered(await call(credential, { path: '/v1/status' }));
    const opens = () => db.prisma.auditEvent.count({ where: { action: 'credential.open', targetId: credential.id, details: { path: ['purpose'], equals: 'proxy' } } });
    expect(await opens()).toBe(1);
    const updated = await updateCredential(services, { actor, organizationId, input: { credentialId: credential.id, version: 1, label: 'rotated', values: { baseUrl: `${api.url}/base/`, headerName: 'X-Provider-Key', apiKey: 'pk_live_rotated_9876543210zyx' } } });
    if (!updated.ok) throw new Error(updated.error.message);
    await answered(await call({ ...credential, version: 2 }, { path: '/v1/status' }));
    expect(seen.at(-1)!.headers['x-provider-key']).toBe('pk_live_rotated_9876543210zyx');
    expect(await opens()).toBe(2);
  });

  it('HTTP basic and ZATCA’s CSID basic are applied; ZATCA takes only POST to its invoice paths', async () => {
    const seen: Record<string, unknown>[] = [];
    const api = await serve((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      json(res, 200, { validationResults: { status: 'PASS' } });
    });
    const basicCredential = await create('http-basic', { baseUrl: api.url, username: 'erp-user', password: 'basic-password-123456' });
    expect(await answered(await call(basicCredential, { path: '/ping' }))).toMatchObject({ status: 200 });
    expect(seen.at(-1)).toEqual({ url: '/ping', authorization: basic('erp-user', 'basic-password-123456') });

    const pair = makeCertificate({ subject: '/CN=EGS1/O=Strongroom Test/C=SA' });
    const egs = await create('zatca-csid', { apiBaseUrl: `${api.url}/e-invoicing/simulation`, vatNumber: '399999999900003', egsSerial: '1-SR|2-T|3-1', certificate: pair.certificate, privateKey: pair.privateKey, csidSecret: 'csid-secret-0123456789' }, 'SA');
    expect(await answered(await call(egs, { method: 'POST', path: '/invoices/reporting/single', body: Buffer.from('{}') }))).toMatchObject({ status: 200 });
    expect(seen.at(-1)).toEqual({ url: '/e-invoicing/simulation/invoices/reporting/single', authorization: basic(binarySecurityTokenOf(pair.certificate), 'csid-secret-0123456789') });
    const before = seen.length;
    expect(await call(egs, { method: 'GET', path: '/invoices/reporting/single' })).toMatchObject({ ok: false, refusal: { status: 405, code: 'METHOD_NOT_ALLOWED' } });
    // The CSID endpoints are Strongroom's own (onboarding, renewal): not for callers.
    expect(await call(egs, { method: 'POST', path: '/production/csids', body: Buffer.from('{}') })).toMatchObject({ ok: false, refusal: { status: 400 } });
    expect(await call(egs, { method: 'POST', path: '/compliance', body: Buffer.from('{}') })).toMatchObject({ ok: false, refusal: { status: 400 } });
    expect(seen.length).toBe(before);
  });

  it('refuses traversal, paths outside the allow-list and kinds that do not proxy before any call is made', async () => {
    let calls = 0;
    const api = await serve((_req, res) => (calls++, json(res, 200, {})));
    const ksef = await create('ksef-token', { apiBaseUrl: `${api.url}/v2`, nip: '5265877635', ksefToken: 'ksef-token-value-0123456789' });
    for (const path of ['/auth/challenge', '/tokens', '/certificates/enrollments', '/invoices/%2e%2e/auth/challenge', '/sessions%2f..%2fauth', '/invoices//x', '/sessions-x']) {
      const outcome = await call(ksef, { method: 'POST', path, body: Buffer.from('{}') });
      expect(outcome, path).toMatchObject({ ok: false, refusal: { status: 400, code: 'VALIDATION' } });
    }
    const webhook = await create('webhook-secret', { signingSecret: 'whsec_0123456789abcdef', headerName: 'X-Signature' });
    expect(await call(webhook, { path: '/x' })).toMatchObject({ ok: false, refusal: { status: 409, code: 'INVALID_STATE' } });
    const noBase = await create('certificate', await issueCertificate({ subject: 'CN=No base' }).then(({ certificate, privateKey }) => ({ certificate, privateKey })));
    expect(await call(noBase, { path: '/x' })).toMatchObject({ ok: false, refusal: { status: 409, message: expect.stringContaining('Endpoint URL') } });
    expect(calls).toBe(0);
  });

  it('streams 5 MB within the cap, cuts off a larger body, refuses a declared one; redirects, hangs and garbage are clear errors', async () => {
    const MB = 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const api = await serve((req, res) => {
      if (req.url === '/redirect') return void (res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }), res.end());
      if (req.url === '/hang') return; // never answers
      if (req.url === '/declared') return void (res.writeHead(200, { 'content-length': String(PROXY_MAX_RESPONSE_BYTES + 1) }), res.write(chunk));
      const size = req.url === '/five' ? 5 * MB : PROXY_MAX_RESPONSE_BYTES + MB;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const more = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const credential = await create('http-basic', { baseUrl: api.url, username: 'u', password: 'basic-password-123456' });

    const five = await call(credential, { path: '/five' });
    if (!five.ok) throw new Error(five.refusal.message);
    expect((await five.data.response.arrayBuffer()).byteLength).toBe(5 * MB);
    expect(await five.data.finished).toEqual({ bytes: 5 * MB, complete: true });

    const large = await call(credential, { path: '/large' });
    if (!large.ok) throw new Error(large.refusal.message);
    await expect(large.data.response.arrayBuffer()).rejects.toThrow();
    expect(await large.data.finished).toMatchObject({ complete: false });

    expect(await call(credential, { path: '/declared' })).toMatchObject({ ok: false, refusal: { status: 502, code: 'RESPONSE_TOO_LARGE' } });
    expect(await call(credential, { path: '/redirect' })).toMatchObject({ ok: false, refusal: { status: 502, message: expect.stringContaining('redirect') } });
    expect(await call(credential, { path: '/hang' }, { ...policy, timeoutMs: 200 })).toMatchObject({ ok: false, refusal: { status: 504, code: 'PROVIDER_TIMEOUT' } });

    const sockets = new Set<import('node:net').Socket>();
    const garbage = createTcpServer((socket) => (sockets.add(socket), socket.end('this is not HTTP\r\n\r\n')));
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => (sockets.forEach((socket) => socket.destroy()), garbage.close(() => resolve()))) });
    const junk = await create('http-basic', { baseUrl: `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`, username: 'u', password: 'basic-password-123456' });
    expect(await call(junk, { path: '/x' })).toMatchObject({ ok: false, refusal: { status: 502, code: 'PROVIDER_UNREACHABLE' } });
  });

  it('mTLS: presents the sealed certificate in the handshake; one from another CA, or none, is refused by the server; a new version presents the new one', async () => {
    const ca = await issueCertificate({ subject: 'CN=Test CA', ca: true });
    const otherCa = await issueCertificate({ subject: 'CN=Other CA', ca: true });
    const serverCertificate = await issueCertificate({ subject: 'CN=127.0.0.1', issuer: ca, ipAddresses: ['127.0.0.1'] });
    const client = await issueCertificate({ subject: 'CN=ERP client', issuer: ca });
    const stranger = await issueCertificate({ subject: 'CN=Stranger', issuer: otherCa });
    const server = createHttpsServer({ key: serverCertificate.privateKey, cert: serverCertificate.certificate, ca: ca.certificate, requestCert: true, rejectUnauthorized: true }, (req, res) =>
      json(res, 200, { client: (req.socket as TLSSocket).getPeerCertificate().subject.CN, url: req.url }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) });
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sdi`;
    const tlsPolicy = { ...policy, ca: ca.certificate };

    const credential = await create('certificate', { certificate: client.certificate, privateKey: client.privateKey, apiBaseUrl: base });
    const answer = await answered(await call(credential, { method: 'POST', path: '/SdIRiceviFile', headers: new Headers({ 'content-type': 'application/soap+xml' }), body: Buffer.from('<soap/>') }, tlsPolicy));
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse(answer.text)).toEqual({ client: 'ERP client', url: '/sdi/SdIRiceviFile' });
    expect(answer.text).not.toContain('PRIVATE KEY');

    const strange = await create('certificate', { certificate: stranger.certificate, privateKey: stranger.privateKey, apiBaseUrl: base });
    expect(await call(strange, { path: '/x' }, tlsPolicy)).toMatchObject({ ok: false, refusal: { status: 502, code: 'PROVIDER_UNREACHABLE' } });
    const without = await create('api-key', { baseUrl: base, headerName: 'X-Key', apiKey: 'no-certificate-key-0123' });
    expect(await call(without, { path: '/x' }, tlsPolicy)).toMatchObject({ ok: false, refusal: { status: 502 } });

    const renewed = await issueCertificate({ subject: 'CN=ERP client renewed', issuer: ca });
    const updated = await updateCredential(services, { actor, organizationId, input: { credentialId: credential.id, version: 1, label: 'renewed', values: { certificate: renewed.certificate, privateKey: renewed.privateKey, apiBaseUrl: base } } });
    if (!updated.ok) throw new Error(updated.error.message);
    expect(JSON.parse((await answered(await call({ ...credential, version: 2 }, { path: '/x' }, tlsPolicy))).text)).toMatchObject({ client: 'ERP client renewed' });
  });
});
