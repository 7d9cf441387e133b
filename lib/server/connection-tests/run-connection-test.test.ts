import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthCheckUrl, runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { makeCertificate } from '@/lib/server/test-support/certificates';
import { setClock } from '@/lib/server/clock';
import type { Services } from '@/lib/server/services';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase } from '@/lib/server/test-support/test-database';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { json, startFaultServer, startOidcProvider } from '@/lib/server/test-support/test-servers';

const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 2_000, maxBytes: 65_536 };
const operator = { type: 'USER' as const, label: 'operator@demo.example' };

describe('connection tests', () => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { country: 'AE' } });
    organizationId = entity.organizationId;
    legalEntityId = entity.id;
  });
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    await db.close();
  });

  const create = async (profile: string, values: Record<string, string>) => {
    const result = await createCredential(services, {
      actor: { type: 'SYSTEM' },
      organizationId,
      input: { legalEntityId, profile: profile as never, environment: 'SANDBOX', label: `${profile} ${randomBytes(3).toString('hex')}`, values },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.data.id;
  };
  const test = (credentialId: string) => runConnectionTest(services, { organizationId, credentialId, trigger: 'USER', actor: operator, policy });

  it('OAuth: a token request to oidc-provider, kept as history; a wrong secret needs attention', async () => {
    const oidc = await startOidcProvider({ clients: [{ clientId: 'erp', clientSecret: 'right-secret-0123456789abcdef0' }] });
    closers.push(oidc.close);
    const good = await create('oauth2-client-credentials', { tokenUrl: oidc.tokenUrl, clientId: 'erp', clientSecret: 'right-secret-0123456789abcdef0', clientAuth: 'client_secret_basic' });
    expect(await test(good)).toMatchObject({ ok: true, data: { outcome: 'SUCCESS', httpStatus: 200, message: expect.stringMatching(/Token issued/) } });
    const bad = await create('oauth2-client-credentials', { tokenUrl: oidc.tokenUrl, clientId: 'erp', clientSecret: 'wrong-secret-0123456789abcdef0', clientAuth: 'client_secret_basic' });
    expect(await test(bad)).toMatchObject({ ok: true, data: { outcome: 'FAILURE', errorCode: 'invalid_client', httpStatus: 401 } });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id: bad } })).toMatchObject({ status: 'NEEDS_ATTENTION' });
    const history = await db.prisma.connectionTest.findMany({ where: { credentialId: { in: [good, bad] } } });
    expect(history.map((h) => [h.outcome, h.trigger, h.credentialVersion])).toEqual(expect.arrayContaining([['SUCCESS', 'USER', 1], ['FAILURE', 'USER', 1]]));
    expect(history.every((h) => h.durationMs >= 0)).toBe(true);
  });

  it('OAuth: a provider that echoes the client secret (body, WWW-Authenticate, URL-encoded) gets it stored nowhere', async () => {
    const secret = 'echo-me s3cret/value+0123456789';
    const encoded = encodeURIComponent(secret);
    const answers = [
      (res: Parameters<typeof json>[0]) => json(res, 400, { error: `bad client secret ${secret}`, error_description: secret }),
      (res: Parameters<typeof json>[0]) => json(res, 401, { error: encoded }, { 'www-authenticate': `Bearer error="${encoded}", error_description="${secret}"` }),
      (res: Parameters<typeof json>[0]) => json(res, 400, { error: 'invalid_client', error_description: `client_secret=${encoded}` }),
    ];
    let call = 0;
    const echo = await startFaultServer((_, __, res) => answers[call++ % answers.length]!(res));
    closers.push(echo.close);
    const id = await create('oauth2-client-credentials', { tokenUrl: `${echo.url}/token`, clientId: 'erp', clientSecret: secret, clientAuth: 'client_secret_post' });
    const results = [await test(id), await test(id), await test(id)];
    expect(results.map((r) => r.ok && r.data.errorCode)).toEqual(['oauth_error', 'oauth_error', 'invalid_client']);
    const stored = JSON.stringify([
      await db.prisma.connectionTest.findMany({ where: { credentialId: id } }),
      await db.prisma.credential.findUniqueOrThrow({ where: { id } }),
      await db.prisma.auditEvent.findMany({ where: { targetId: id } }),
      results,
    ], (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    for (const form of [secret, encoded, 's3cret']) expect(stored).not.toContain(form);
  });

  it.each(['//other-host/x', '/\\other-host/x', '/\\/other-host', 'https://other-host/x'])('refuses the health path %j, which would leave the base URL', async (healthPath) => {
    const created = await createCredential(services, {
      actor: { type: 'SYSTEM' },
      organizationId,
      input: { legalEntityId, profile: 'api-key', environment: 'SANDBOX', label: `bad path ${randomBytes(3).toString('hex')}`, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', healthPath, apiKey: 'key-0001' } },
    });
    expect(created).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { 'values.healthPath': [expect.any(String)] } } });
    expect(healthCheckUrl('https://api.example.com/v1', healthPath)).toBeNull();
  });

  it('resolves a health path on the base URL', () => {
    expect(healthCheckUrl('https://api.example.com/v1', '/health?deep=1')).toBe('https://api.example.com/health?deep=1');
    expect(healthCheckUrl('https://api.example.com/v1', undefined)).toBe('https://api.example.com/');
  });

  it('API key: the health endpoint with the key in its header; a 401 needs attention', async () => {
    const api = await startFaultServer((req, _, res) => (req.headers['x-api-key'] === 'good-key-123' ? json(res, 200, { status: 'up' }) : json(res, 401, { error: 'nope' })));
    closers.push(api.close);
    const good = await create('api-key', { baseUrl: api.url, headerName: 'X-API-Key', healthPath: '/health', apiKey: 'good-key-123' });
    expect(await test(good)).toMatchObject({ ok: true, data: { outcome: 'SUCCESS', httpStatus: 200 } });
    const bad = await create('api-key', { baseUrl: api.url, headerName: 'X-API-Key', healthPath: '/health', apiKey: 'bad-key-456' });
    expect(await test(bad)).toMatchObject({ ok: true, data: { outcome: 'FAILURE', httpStatus: 401, errorCode: 'unauthorized' } });
  });

  it('certificate: local checks, days left or expired', async () => {
    const pair = makeCertificate({ days: 90 });
    const valid = await create('certificate', { certificate: pair.certificate, privateKey: pair.privateKey });
    expect(await test(valid)).toMatchObject({ ok: true, data: { outcome: 'SUCCESS', message: expect.stringMatching(/(89|90) days left/) } });
    // Stored while valid, tested after its end: the test says it expired.
    const restore = setClock(() => pair.notAfter.getTime() + 86_400_000);
    try {
      expect(await test(valid)).toMatchObject({ ok: true, data: { outcome: 'FAILURE', errorCode: 'certificate_expired' } });
    } finally {
      restore();
    }
  });

  it('a provider that times out is recorded as a failure without changing the credential', async () => {
    const silent = await startFaultServer(() => {});
    closers.push(silent.close);
    const id = await create('api-key', { baseUrl: silent.url, headerName: 'X-API-Key', apiKey: 'key-0001' });
    const result = await runConnectionTest(services, { organizationId, credentialId: id, trigger: 'API', actor: operator, policy: { ...policy, timeoutMs: 300 } });
    expect(result).toMatchObject({ ok: true, data: { outcome: 'FAILURE', errorCode: 'timeout' } });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE', version: 1 });
  });
});
