import Provider from 'oidc-provider';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { createHash, verify } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_FRESH_PORT, E2E_SERVER_LOG } from '../playwright.config';
import { confirmStepUp, expect, loginAs, openNewCredentialForm, test } from './fixtures';

/** A GET with the path sent exactly as written (a browser or Playwright would normalise it first). */
function raw(origin: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin);
    const call = httpRequest({ host: hostname, port, path, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text, headers: response.headers }));
    });
    call.on('error', reject);
    call.end();
  });
}

const CLIENT_SECRET = 'e2e-client-secret-0123456789abcdef';
let server: Server;
let tokenUrl: string;
let issued = 0;

// A real OAuth server (oidc-provider) on loopback, playing the tax authority's token endpoint.
test.beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'uae-erp', client_secret: CLIENT_SECRET, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'einvoice:transmit' }],
    scopes: ['einvoice:transmit'],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    ttl: { ClientCredentials: 3600 },
  });
  provider.on('client_credentials.saved', () => issued++);
  server.on('request', provider.callback());
  tokenUrl = `${issuer}/token`;
});
test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('the transmission service gets a token through a scoped API key; every refusal is JSON', async ({ page, request }) => {
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'OAuth2 client credentials');
  await page.getByLabel('Label').fill('Tax authority OAuth');
  await page.getByLabel('Token endpoint').fill(tokenUrl);
  await page.getByLabel('Client ID').fill('uae-erp');
  await page.getByLabel('Client secret').fill(CLIENT_SECRET);
  await page.getByLabel('Scope').fill('einvoice:transmit');
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Tax authority OAuth');
  const credentialId = new URL(page.url()).pathname.split('/').pop()!;

  // A connection test from the page, kept in the history.
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Succeeded: Token issued' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Connection tests, newest first' })).toContainText('Succeeded');
  expect(issued).toBe(1);

  // A service account for this entity only, with token:read and credentials:read.
  await page.goto('/admin/service-accounts');
  await page.getByLabel('Name').fill('Transmission service');
  await page.getByLabel('Read credential status').check();
  await page.getByLabel('Gulf Trading FZ-LLC').check();
  await page.getByRole('button', { name: 'Create service account' }).click();
  await confirmStepUp(page);
  const key = (await page.locator('#new-api-key').textContent())!;
  expect(key).toMatch(/^sr_[\w-]{43}$/);

  const auth = { authorization: `Bearer ${key}` };
  const first = await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: auth });
  expect(first.status()).toBe(200);
  const body = (await first.json()) as { access_token: string; token_type: string; expires_at: string };
  expect(body).toMatchObject({ access_token: expect.any(String), token_type: expect.stringMatching(/bearer/i) });
  expect(new Date(body.expires_at).getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  // The operator's view: one more token served from memory, one more 200 of the service API; the
  // scrape names no credential and no key, and is refused without its token.
  const scrape = async () => (await request.get('/api/metrics', { headers: { authorization: `Bearer ${process.env.E2E_METRICS_TOKEN}` } })).text();
  const value = (text: string, sample: string) => Number(text.split('\n').find((line) => line.startsWith(`${sample} `))?.split(' ')[1] ?? 0);
  const before = await scrape();
  const second = await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: { 'x-api-key': key } });
  expect((await second.json()).access_token).toBe(body.access_token);
  expect(issued).toBe(2); // one for the connection test, one for the token cache: reused since
  const after = await scrape();
  expect(value(after, 'strongroom_token_requests_total{outcome="memory"}')).toBe(value(before, 'strongroom_token_requests_total{outcome="memory"}') + 1);
  expect(value(after, 'strongroom_http_requests_total{group="service_api",status="200"}')).toBe(value(before, 'strongroom_http_requests_total{group="service_api",status="200"}') + 1);
  for (const secret of [credentialId, key, body.access_token, CLIENT_SECRET]) expect(after).not.toContain(secret);
  const unauthorized = await request.get('/api/metrics');
  expect(unauthorized.status()).toBe(401);
  expect(await unauthorized.text()).toBe('');
  expect(await (await request.get('/api/health/live')).json()).toEqual({ status: 'alive' });
  expect(await (await request.get('/api/health/ready')).json()).toMatchObject({ ready: true, notReady: [] });

  const list = await request.get('/api/v1/credentials', { headers: auth });
  const labels = ((await list.json()) as { credentials: { label: string }[] }).credentials.map((c) => c.label);
  expect(labels).toContain('Tax authority OAuth');
  expect(labels).not.toContain('MyInvois pre-production');
  expect(JSON.stringify(await (await request.get(`/api/v1/credentials/${credentialId}`, { headers: auth })).json())).not.toContain(CLIENT_SECRET);

  const refusals: [Promise<{ status(): number; json(): Promise<unknown> }>, number, string][] = [
    [request.get(`/api/v1/credentials/${credentialId}/access-token`), 401, 'UNAUTHENTICATED'],
    [request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: { authorization: 'Bearer sr_not-a-real-key' } }), 401, 'UNAUTHENTICATED'],
    [request.post(`/api/v1/credentials/${credentialId}/connection-tests`, { headers: auth }), 403, 'FORBIDDEN'],
    [request.get('/api/v1/credentials/00000000-0000-4000-8000-000000000000/access-token', { headers: auth }), 404, 'NOT_FOUND'],
  ];
  for (const [call, status, code] of refusals) {
    const response = await call;
    expect(response.status()).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  }
  // Spellings the router normalises reach the same API through the same gate: with the key they are
  // served, without one the gate answers at once, and a flood without keys leaves keyed calls served.
  const origin = new URL(page.url()).origin;
  for (const spelling of ['/./api/v1', '/api/./v1', '/x/../api/v1', '/%2e/api/v1']) {
    expect(await raw(origin, `${spelling}/credentials/${credentialId}/access-token`, auth)).toMatchObject({ status: 200 });
    expect(await raw(origin, `${spelling}/credentials/${credentialId}/access-token`, {})).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
  }
  // The canonical spelling is answered by the same handler without Next.js's router (no `vary` of
  // its own), the others through it: the same answer, and the same headers that matter.
  const unknown = '/credentials/00000000-0000-4000-8000-000000000000/access-token';
  const [direct, routed] = [await raw(origin, `/api/v1${unknown}`, auth), await raw(origin, `/./api/v1${unknown}`, auth)];
  expect(direct.headers.vary).toBeUndefined();
  expect(routed.headers.vary).toContain('rsc');
  const kept = ['cache-control', 'content-type', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'permissions-policy'];
  const pick = (answer: typeof direct) => Object.fromEntries(kept.map((name) => [name, answer.headers[name]]));
  expect({ status: direct.status, body: direct.body, headers: pick(direct) }).toEqual({ status: routed.status, body: routed.body, headers: pick(routed) });
  expect(pick(direct)).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
  expect(direct).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  const flood = Array.from({ length: 200 }, (_, i) => raw(origin, `/%2e/api/v1/credentials/${credentialId}/access-token?n=${i}`, {}));
  const keyed = Array.from({ length: 10 }, () => raw(origin, `/api/v1/credentials/${credentialId}/access-token`, auth));
  expect((await Promise.all(keyed)).map((answer) => answer.status)).toEqual(Array(10).fill(200));
  expect(new Set((await Promise.all(flood)).map((answer) => answer.status))).toEqual(new Set([401]));

  // A credential of another legal entity.
  await page.goto('/dashboard');
  await page.getByRole('link', { name: 'MyInvois pre-production' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('MyInvois pre-production');
  const otherId = new URL(page.url()).pathname.split('/').pop()!;
  const outOfScope = await request.get(`/api/v1/credentials/${otherId}/access-token`, { headers: auth });
  expect(outOfScope.status()).toBe(403);

  // A request id from the proxy in front (Playwright plays one: TRUSTED_PROXIES) comes back, and names
  // the call's audit event and its log line; without one the server makes its own.
  const traced = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const tracedCall = await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: { ...auth, 'x-request-id': traced } });
  expect(tracedCall.headers()['x-request-id']).toBe(traced);
  expect((await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: auth })).headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const logged = () =>
    readFileSync(E2E_SERVER_LOG, 'utf8')
      .split('\n')
      .filter((line) => line.includes(traced))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  // (The line is written as the answer leaves, and reaches the file through a pipe.)
  await expect.poll(logged).toEqual([expect.objectContaining({ event: 'http.request', requestId: traced, method: 'GET', group: 'service_api', status: 200, actorType: 'SERVICE_ACCOUNT' })]);

  // Every call is in the audit log.
  await page.goto('/audit');
  await expect(page.getByRole('table')).toContainText('api.access_token');
  await expect(page.locator('code').filter({ hasText: `"requestId":"${traced}"` })).toHaveCount(1);

  // Revoking the key stops it on the very next request (keys are not remembered between requests).
  await page.goto('/admin/service-accounts');
  await page.getByRole('button', { name: 'Revoke Transmission service' }).click();
  await expect(page.getByRole('cell', { name: /Revoked/ })).toBeVisible();
  expect((await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: auth })).status()).toBe(401);

  const openapi = await request.get('/api/v1/openapi.json');
  expect(await openapi.json()).toMatchObject({ openapi: '3.1.0', paths: { '/credentials/{id}/access-token': { get: expect.any(Object) } } });
});

test('a service signs a digest with a certificate key it never sees; bad requests are refused and everything is audited', async ({ page, request }) => {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-signer-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-subj', '/CN=Invoice signer', '-days', '30', '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
  const privateKey = readFileSync(join(dir, 'key.pem'), 'utf8');

  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'X.509 certificate');
  await page.getByLabel('Label').fill('Invoice signing key');
  await page.getByLabel('Certificate file').setInputFiles(join(dir, 'cert.pem'));
  await page.getByLabel('Private key file').setInputFiles(join(dir, 'key.pem'));
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Invoice signing key');
  const credentialId = new URL(page.url()).pathname.split('/').pop()!;

  await page.goto('/admin/service-accounts');
  await page.getByLabel('Name').fill('Invoice signer');
  await page.getByLabel('Get access tokens').uncheck();
  await page.getByLabel('Sign digests with certificate keys').check();
  await page.getByLabel('Gulf Trading FZ-LLC').check();
  await page.getByRole('button', { name: 'Create service account' }).click();
  await confirmStepUp(page);
  const key = (await page.locator('#new-api-key').textContent())!;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  const message = '<Invoice>…</Invoice>';
  const digest = createHash('sha256').update(message).digest('base64');
  const signed = await request.post(`/api/v1/credentials/${credentialId}/sign`, { headers, data: { digest, algorithm: 'ES256' } });
  expect(signed.status()).toBe(200);
  const text = await signed.text();
  expect(text).not.toContain(privateKey.split('\n')[1]);
  const body = JSON.parse(text) as { signature: string; signature_p1363: string; certificate: string; credential_version: number };
  expect(body.credential_version).toBe(1);
  expect(verify('sha256', Buffer.from(message), body.certificate, Buffer.from(body.signature, 'base64'))).toBe(true);
  expect(verify('sha256', Buffer.from(message), { key: body.certificate, dsaEncoding: 'ieee-p1363' }, Buffer.from(body.signature_p1363, 'base64'))).toBe(true);

  const refused = async (data: unknown, status: number, code: string) => {
    const response = await request.post(`/api/v1/credentials/${credentialId}/sign`, { headers, data: typeof data === 'string' ? data : JSON.stringify(data) });
    expect(response.status(), JSON.stringify(data).slice(0, 80)).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  };
  await refused({ digest: digest.slice(0, 20), algorithm: 'ES256' }, 400, 'VALIDATION');
  await refused({ digest, algorithm: 'RS256' }, 400, 'VALIDATION');
  await refused({ digest, algorithm: 'none' }, 400, 'VALIDATION');
  await refused('{"digest":', 400, 'VALIDATION');
  await refused({ digest, algorithm: 'ES256', padding: 'x'.repeat(2048) }, 413, 'TOO_LARGE');
  // Out of this key's scope: it signs, it does not fetch tokens.
  expect((await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers })).status()).toBe(403);

  await page.goto('/audit');
  await expect(page.getByRole('table')).toContainText('api.sign');
  // The signature and the refused RS256 request name the digest by its hash; nothing names the digest itself.
  await expect(page.locator('code').filter({ hasText: `"digestSha256":"${createHash('sha256').update(Buffer.from(digest, 'base64')).digest('hex')}"` })).toHaveCount(2);
  await expect(page.locator('code').filter({ hasText: digest })).toHaveCount(0);
});

test('a service calls its provider through the proxy without holding the API key; the answer streams back scrubbed, traversal is refused, the credential page lists the calls', async ({ page, request }) => {
  const apiKey = 'asp-live-key-e2e-0123456789abcdef';
  const seen: { url?: string; key?: string; authorization?: string; body: string }[] = [];
  const provider = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      seen.push({ url: req.url, key: req.headers['x-asp-key'] as string | undefined, authorization: req.headers.authorization, body });
      if (req.url?.startsWith('/asp/v1/archive')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Buffer.alloc(5 * 1024 * 1024, 'z'));
      }
      res.writeHead(202, { 'content-type': 'application/json', 'set-cookie': 'provider=1' });
      res.end(JSON.stringify({ accepted: true, debug: { receivedKey: req.headers['x-asp-key'] } }));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/asp`;
  try {
    await loginAs(page, 'ADMIN');
    await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'API key');
    await page.getByLabel('Label').fill('ASP submission key');
    await page.getByLabel('API base URL').fill(base);
    await page.getByLabel('Header name').fill('X-ASP-Key');
    await page.getByLabel('API key', { exact: true }).fill(apiKey);
    await page.getByRole('button', { name: 'Create credential' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('ASP submission key');
    const credentialId = new URL(page.url()).pathname.split('/').pop()!;
    await expect(page.getByRole('region', { name: 'Used by services' })).toContainText('No service has called through Strongroom');

    await page.goto('/admin/service-accounts');
    await page.getByLabel('Name').fill('Invoice transmitter');
    await page.getByLabel('Get access tokens').uncheck();
    await page.getByLabel('Call providers through the proxy').check();
    await page.getByLabel('Gulf Trading FZ-LLC').check();
    await page.getByRole('button', { name: 'Create service account' }).click();
    await confirmStepUp(page);
    const key = (await page.locator('#new-api-key').textContent())!;
    const headers = { authorization: `Bearer ${key}` };
    const proxy = `/api/v1/credentials/${credentialId}/proxy`;

    const submitted = await request.post(`${proxy}/v1/invoices?channel=peppol`, { headers: { ...headers, 'content-type': 'application/json' }, data: { invoice: 'INV-1' } });
    expect(submitted.status()).toBe(202);
    const text = await submitted.text();
    expect(text).not.toContain(apiKey);
    expect(JSON.parse(text)).toEqual({ accepted: true, debug: { receivedKey: '[redacted]' } });
    expect(submitted.headers()['set-cookie']).toBeUndefined();
    expect(seen.at(-1)).toEqual({ url: '/asp/v1/invoices?channel=peppol', key: apiKey, authorization: undefined, body: '{"invoice":"INV-1"}' });

    // 5 MB, streamed through npm start's own route (no Next.js in between).
    const archive = await request.get(`${proxy}/v1/archive/2026-11`, { headers });
    expect(archive.status()).toBe(200);
    expect((await archive.body()).length).toBe(5 * 1024 * 1024);

    // Traversal, as sent on the wire: refused, or routed elsewhere (out of this key's scope); never sent on.
    const calls = seen.length;
    expect((await raw(page.url(), `${proxy}/v1/%2e%2e%2f..%2fadmin`, headers)).status).toBe(400);
    expect((await raw(page.url(), `${proxy}/v1/..%5cadmin`, headers)).status).toBe(400);
    // The router resolves the dot segment: this is a GET of the signing route, which takes POST only.
    expect((await raw(page.url(), `${proxy}/../sign`, headers)).status).toBe(405);
    expect((await raw(page.url(), `${proxy}/v1//admin`, headers)).status).toBe(400);
    expect(seen.length).toBe(calls);
    // The proxy is this key's only permission.
    expect((await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers })).status()).toBe(403);

    await page.goto(`/credentials/${credentialId}`);
    const used = page.getByRole('region', { name: 'Used by services' });
    // Refused calls are listed too (status 400), next to what went through.
    await expect(used.getByRole('row').filter({ hasText: 'POST /v1/invoices' })).toContainText('202');
    await expect(used.getByRole('cell', { name: '400', exact: true })).toHaveCount(3);
    await expect(used.getByText('refused by Strongroom: nothing was sent')).toHaveCount(3);
    await expect(used).toContainText('GET /v1/archive/{}');
    await expect(used).toContainText(`${(5 * 1024 * 1024).toLocaleString('en')} bytes`);
    await expect(used).toContainText('Invoice transmitter');
    await expect(page.locator('body')).not.toContainText(apiKey);
  } finally {
    provider.closeAllConnections();
    await new Promise((resolve) => provider.close(resolve));
  }
});

/**
 * `count` GETs of `path` written at once on one connection (HTTP/1.1 pipelining): the server parses them
 * in one go and meets them all at its gate in the same turn, however fast it answers the first.
 */
function pipelined(origin: string, path: string, headers: Record<string, string>, count: number): Promise<{ status: number; headers: Record<string, string>; body: string }[]> {
  const { hostname, port } = new URL(origin);
  const head = (last: boolean) => [`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...(last ? ['Connection: close'] : []), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head(false).repeat(count - 1) + head(true)));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      let rest = Buffer.concat(chunks).toString('latin1');
      const answers: { status: number; headers: Record<string, string>; body: string }[] = [];
      while (rest.startsWith('HTTP/1.1 ')) {
        const end = rest.indexOf('\r\n\r\n');
        const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
        const fields = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        rest = rest.slice(end + 4);
        let body = '';
        if (fields['transfer-encoding'] === 'chunked') {
          for (let size = parseInt(rest, 16); ; size = parseInt(rest, 16)) {
            rest = rest.slice(rest.indexOf('\r\n') + 2);
            if (size === 0) break;
            body += rest.slice(0, size);
            rest = rest.slice(size + 2);
          }
          rest = rest.slice(2);
        } else {
          const length = Number(fields['content-length'] ?? 0);
          body = rest.slice(0, length);
          rest = rest.slice(length);
        }
        answers.push({ status: Number(statusLine!.split(' ')[1]), headers: fields, body });
      }
      resolve(answers);
    });
  });
}

test('a burst past the gate is answered 503 with Retry-After, and the metrics count exactly the requests shed', async () => {
  // The second server (playwright.config.ts) runs its gate with one slot and one queue place.
  const origin = `http://localhost:${E2E_FRESH_PORT}`;
  const scrape = async () => (await fetch(`${origin}/api/metrics`, { headers: { authorization: `Bearer ${process.env.E2E_METRICS_TOKEN}` } })).text();
  const value = (text: string, sample: string) => Number(text.split('\n').find((line) => line.startsWith(`${sample} `))?.split(' ')[1] ?? 0);
  const SHED = 'strongroom_admission_shed_total';
  const REFUSED = 'strongroom_http_requests_total{group="service_api",status="503"}';
  // Answered: 401, or 429 once this address has sent too many unknown keys.
  const ANSWERED = ['401', '429'].map((status) => `strongroom_http_requests_total{group="service_api",status="${status}"}`);
  const before = await scrape();
  // 20 requests at once with a key of the right shape that no account holds: each takes a slot (the
  // key must be looked up) or a queue place, or is shed. One running and one queued: the other 18 shed.
  const answers = await pipelined(origin, '/api/v1/credentials', { authorization: `Bearer sr_${'k'.repeat(43)}` }, 20);
  expect(answers).toHaveLength(20);
  const shed = answers.filter((a) => a.status === 503);
  expect(shed).toHaveLength(18);
  expect(answers.filter((a) => a.status !== 503).map((a) => a.status).every((status) => status === 401 || status === 429)).toBe(true);
  for (const answer of shed) {
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'OVERLOADED' } });
    expect(answer.headers['retry-after']).toBe('1');
  }
  const after = await scrape();
  expect(value(after, SHED) - value(before, SHED)).toBe(18);
  expect(value(after, REFUSED) - value(before, REFUSED)).toBe(18);
  const answered = (text: string) => ANSWERED.reduce((sum, sample) => sum + value(text, sample), 0);
  expect(answered(after) - answered(before)).toBe(2);
});
