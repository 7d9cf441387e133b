import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCredential } from '@/lib/server/credentials/create-credential';
import type { Services } from '@/lib/server/services';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { flightsSettled } from '@/lib/server/tokens/single-flight';
import { getTokenState } from '@/lib/server/tokens/get-token-state';
import { invalidateAccessToken } from '@/lib/server/tokens/token-grant';
import { setClock } from '@/lib/server/clock';
import { json, startFaultServer, startOidcProvider, type FaultHandler } from '@/lib/server/test-support/test-servers';

const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 2_000, maxBytes: 64 * 1024 };
const system = { type: 'SYSTEM' as const };

describe.each(testDatabaseKinds())('token manager on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  const servers: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { country: 'MY' } });
    organizationId = entity.organizationId;
    legalEntityId = entity.id;
  });
  // Time moves only when a test says so: `at` seconds after the test started.
  let restoreClock = () => {};
  let clock = 0;
  const useClock = () => {
    const start = Date.now();
    clock = start;
    restoreClock = setClock(() => clock);
    return (seconds: number) => void (clock = start + seconds * 1000);
  };
  afterEach(async () => {
    await flightsSettled();
    restoreClock();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(async () => db.close());

  const credentialFor = async (tokenUrl: string, clientSecret = 'client-secret-value-1234567890', clientId = 'erp') => {
    const result = await createCredential(services, {
      actor: system,
      organizationId,
      input: {
        legalEntityId,
        profile: 'oauth2-client-credentials',
        environment: 'SANDBOX',
        label: `oauth ${randomBytes(4).toString('hex')}`,
        values: { tokenUrl, clientId, clientSecret, clientAuth: 'client_secret_basic', scope: 'invoices' },
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.data.id;
  };
  const token = (credentialId: string) => getAccessToken(services, { credentialId, actor: system, policy });
  const fault = async (handler: FaultHandler) => {
    const server = await startFaultServer(handler);
    servers.push(server);
    return server;
  };

  it('gets a token from oidc-provider once for 100 concurrent callers, then serves it from cache', async () => {
    const oidc = await startOidcProvider({ clients: [{ clientId: 'erp', clientSecret: 'client-secret-value-1234567890' }], ttlSeconds: 900 });
    servers.push(oidc);
    const id = await credentialFor(oidc.tokenUrl);
    const results = await Promise.all(Array.from({ length: 100 }, () => token(id)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.data.accessToken : '')))).toHaveProperty('size', 1);
    expect(oidc.issued()).toBe(1);
    expect(await token(id)).toMatchObject({ ok: true });
    expect(oidc.issued()).toBe(1);
    // Stored sealed: not in clear in the database.
    const accessToken = (results[0] as { data: { accessToken: string } }).data.accessToken;
    const rows = JSON.stringify(await db.prisma.sealedSecret.findMany({ where: { ownerTable: 'TokenGrant' } }));
    expect(rows).not.toContain(accessToken);
  });

  it('an invalid_client from oidc-provider is permanent: tokens cleared, NEEDS_ATTENTION, no retries', async () => {
    const oidc = await startOidcProvider({ clients: [{ clientId: 'erp', clientSecret: 'the-right-secret-0123456789abcd' }] });
    servers.push(oidc);
    const id = await credentialFor(oidc.tokenUrl, 'a-wrong-secret-0123456789abcdef');
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringMatching(/invalid_client/) } });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'NEEDS_ATTENTION', lastError: expect.stringMatching(/invalid_client/) });
    expect(await token(id)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/needs attention/) } });
    expect(oidc.issued()).toBe(0);
  });

  it('refreshes ahead of expiry with the refresh token, keeping it when the response omits one', async () => {
    const at = useClock();
    let n = 0;
    const grants: string[] = [];
    const server = await fault((_, body, res) => {
      const params = new URLSearchParams(body);
      grants.push(`${params.get('grant_type')}:${params.get('refresh_token') ?? ''}`);
      n++;
      // Short-lived tokens: each is refreshed at half its life.
      json(res, 200, { access_token: `access-${n}`, token_type: 'Bearer', expires_in: 80, ...(n === 1 ? { refresh_token: 'refresh-1' } : {}) });
    });
    const id = await credentialFor(`${server.url}/token`);
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-1' } });
    at(39);
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-1' } });
    await flightsSettled();
    expect(n).toBe(1); // not due yet
    at(41); // past the refresh point: still served while the refresh runs behind it
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-1' } });
    await flightsSettled();
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-2' } });
    at(82);
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-2' } });
    await flightsSettled();
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-3' } });
    expect(grants).toEqual(['client_credentials:', 'refresh_token:refresh-1', 'refresh_token:refresh-1']);
  });

  it('falls back to client_credentials when the refresh token is rejected', async () => {
    let n = 0;
    const server = await fault((_, body, res) => {
      n++;
      if (new URLSearchParams(body).get('grant_type') === 'refresh_token') return json(res, 400, { error: 'invalid_grant' });
      json(res, 200, { access_token: `access-${n}`, token_type: 'Bearer', expires_in: 80, refresh_token: `refresh-${n}` });
    });
    const at = useClock();
    const id = await credentialFor(`${server.url}/token`);
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-1' } });
    at(41);
    await token(id);
    await flightsSettled();
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'access-3' } });
    expect(n).toBe(3);
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE' });
  });

  describe('a provider failing at the refresh point, while the token is still valid', () => {
    // A first token that lives 80 s (refresh point 40 s, served until 72 s), then the failure under test.
    const failingAfterFirst = async (failure: FaultHandler) => {
      let n = 0;
      const server = await fault((req, body, res) => (++n === 1 ? json(res, 200, { access_token: 'still-valid', token_type: 'Bearer', expires_in: 80 }) : failure(req, body, res)));
      return { server, id: await credentialFor(`${server.url}/token`) };
    };
    const hundredCallers = (id: string) => Promise.all(Array.from({ length: 100 }, () => token(id)));

    const serverError: FaultHandler = (_, __, res) => json(res, 500, { error: 'server_error' });
    const maintenancePage: FaultHandler = (_, __, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');

    it.each([
      ['500', serverError],
      ['an answer that is not a token response', maintenancePage],
    ])('%s: callers keep getting the valid token; one refresh (and its two retries), none in the cooldown; the error only inside the safety margin', async (_, failure) => {
      const at = useClock();
      const { server, id } = await failingAfterFirst(failure);
      expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'still-valid' } });
      at(41);
      const during = await hundredCallers(id);
      expect(during.every((r) => r.ok && r.data.accessToken === 'still-valid')).toBe(true);
      await flightsSettled();
      expect(server.calls()).toBe(1 + 3); // the first token, then one refresh: a try and two quick retries
      at(42); // inside the cooldown (the first one lasts 2.5–5 s)
      expect((await hundredCallers(id)).every((r) => r.ok && r.data.accessToken === 'still-valid')).toBe(true);
      await flightsSettled();
      expect(server.calls()).toBe(4);
      at(73); // inside the safety margin: no longer served, and the cooldown answers
      expect(await token(id)).toMatchObject({ ok: false, error: { code: 'PROVIDER_UNREACHABLE' } });
      expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE' });
    });

    it('a token endpoint that does not answer: callers do not wait for it', async () => {
      const at = useClock();
      let release: () => void = () => {};
      const hanging = new Promise<void>((resolve) => (release = resolve));
      const { server, id } = await failingAfterFirst((_, __, res) => void hanging.then(() => res.destroy()));
      expect(await token(id)).toMatchObject({ ok: true });
      at(41);
      expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'still-valid' } }); // the refresh hangs behind it
      expect((await hundredCallers(id)).every((r) => r.ok && r.data.accessToken === 'still-valid')).toBe(true);
      await vi.waitFor(() => expect(server.calls()).toBe(2)); // the one refresh is waiting on the endpoint
      release();
      await flightsSettled();
      expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'still-valid' } });
    });

    it('invalid_client: the valid token is destroyed at once and the credential needs attention', async () => {
      const at = useClock();
      const { server, id } = await failingAfterFirst((_, __, res) => json(res, 401, { error: 'invalid_client' }));
      expect(await token(id)).toMatchObject({ ok: true });
      at(41);
      await token(id);
      await flightsSettled();
      expect(await token(id)).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringMatching(/needs attention/) } });
      expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'TokenGrant', ownerId: id } })).toBe(0);
      expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'NEEDS_ATTENTION' });
      expect(server.calls()).toBe(2);
    });

    it('another instance holds the refresh lease: the valid token is served without waiting for it', async () => {
      const at = useClock();
      const { server, id } = await failingAfterFirst((_, __, res) => json(res, 200, { access_token: 'from-us', token_type: 'Bearer', expires_in: 80 }));
      expect(await token(id)).toMatchObject({ ok: true });
      await db.prisma.tokenGrant.update({ where: { credentialId: id }, data: { leaseOwner: 'another-instance', leaseUntil: new Date(clock + 60_000) } });
      at(41);
      // A process that has not seen the token yet reads it from the database, as another instance would.
      const fresh = await getAccessToken(services, { credentialId: id, credentialVersion: -1, actor: system, policy });
      expect(fresh).toMatchObject({ ok: true, data: { accessToken: 'still-valid' } });
      await flightsSettled();
      expect(server.calls()).toBe(1);
      expect(await db.prisma.tokenGrant.findUniqueOrThrow({ where: { credentialId: id } })).toMatchObject({ leaseOwner: 'another-instance' });
    });
  });

  it('tells a person how long the provider\'s tokens live, when they are renewed and what failed, never the token', async () => {
    const at = useClock();
    const server = await fault((_, __, res) => (server.calls() === 1 ? json(res, 200, { access_token: 'short-lived', token_type: 'Bearer', expires_in: 20 }) : json(res, 503, { error: 'temporarily_unavailable' })));
    const id = await credentialFor(`${server.url}/token`);
    await token(id);
    const state = await getTokenState(services, { organizationId, credentialId: id });
    expect(state).toMatchObject({ lifetimeSeconds: 20, refreshAt: new Date(clock + 10_000), expiresAt: new Date(clock + 20_000), lastError: null });
    expect(JSON.stringify(state)).not.toContain('short-lived');
    at(11);
    await token(id);
    await flightsSettled();
    expect(await getTokenState(services, { organizationId, credentialId: id })).toMatchObject({ lastError: expect.stringMatching(/HTTP 503/), nextAttemptAt: expect.any(Date) });
    expect(await getTokenState(services, { organizationId: '00000000-0000-4000-8000-000000000000', credentialId: id })).toBeNull();
  });

  it('backs off on 500s and then cools down instead of hammering the endpoint', async () => {
    const server = await fault((_, __, res) => json(res, 500, { error: 'server_error' }));
    const id = await credentialFor(`${server.url}/token`);
    // A provider that fails is unreachable, not rate limiting: callers are told so, during the cooldown too.
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'PROVIDER_UNREACHABLE' } });
    expect(server.calls()).toBe(3); // first try and two quick retries
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'PROVIDER_UNREACHABLE', message: expect.stringMatching(/next attempt in \d+ s/) } });
    expect(server.calls()).toBe(3);
    const grant = await db.prisma.tokenGrant.findUniqueOrThrow({ where: { credentialId: id } });
    expect(grant.failureCount).toBe(1);
    expect(grant.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE' });
  });

  it('honours a long Retry-After from a 429 without retrying inside the request', async () => {
    const server = await fault((_, __, res) => json(res, 429, { error: 'too_many' }, { 'retry-after': '120' }));
    const id = await credentialFor(`${server.url}/token`);
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(server.calls()).toBe(1);
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const grant = await db.prisma.tokenGrant.findUniqueOrThrow({ where: { credentialId: id } });
    expect(grant.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(110_000);
  });

  it('takes over a lease whose holder crashed, and leaves a live lease alone', async () => {
    const server = await fault((_, __, res) => json(res, 200, { access_token: 'after-crash', token_type: 'Bearer', expires_in: 600 }));
    const id = await credentialFor(`${server.url}/token`);
    await db.prisma.tokenGrant.create({ data: { credentialId: id, leaseOwner: 'crashed-process', leaseUntil: new Date(Date.now() - 1_000) } });
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 'after-crash' } });
    expect(await db.prisma.tokenGrant.findUniqueOrThrow({ where: { credentialId: id } })).toMatchObject({ leaseOwner: null });
  });

  it('revoking the credential destroys its cached tokens too', async () => {
    const server = await fault((_, __, res) => json(res, 200, { access_token: 'doomed', token_type: 'Bearer', expires_in: 600, refresh_token: 'doomed-refresh' }));
    const id = await credentialFor(`${server.url}/token`);
    expect(await token(id)).toMatchObject({ ok: true });
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'TokenGrant', ownerId: id } })).toBe(2);
    const { revokeCredential } = await import('@/lib/server/credentials/revoke-credential');
    expect(await revokeCredential(services, { actor: system, organizationId, input: { credentialId: id, version: 1 } })).toMatchObject({ ok: true });
    expect(await db.prisma.sealedSecret.count({ where: { ownerId: id } })).toBe(0);
    expect(await db.prisma.tokenGrant.count({ where: { credentialId: id } })).toBe(0);
  });

  it('a new secret, client or scope destroys the old tokens in the same change: the next caller gets a token of the new client', async () => {
    const grants: string[] = [];
    const server = await fault((req, body, res) => {
      const client = decodeURIComponent(Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':')[0]!);
      const params = new URLSearchParams(body);
      grants.push(`${client}:${params.get('grant_type')}:${params.get('scope') ?? ''}`);
      json(res, 200, { access_token: `token-of-${client}-${grants.length}`, token_type: 'Bearer', expires_in: 3600, refresh_token: `refresh-of-${client}` });
    });
    const id = await credentialFor(`${server.url}/token`);
    const first = await getAccessToken(services, { credentialId: id, credentialVersion: 1, actor: system, policy });
    expect(first).toMatchObject({ ok: true, data: { accessToken: 'token-of-erp-1' } });
    const { updateCredential } = await import('@/lib/server/credentials/update-credential');
    const values = { tokenUrl: `${server.url}/token`, clientId: 'erp-new', clientAuth: 'client_secret_basic', scope: 'invoices.read' };
    expect(await updateCredential(services, { actor: system, organizationId, input: { credentialId: id, version: 1, label: 'rotated', values } })).toMatchObject({ ok: true });
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'TokenGrant', ownerId: id } })).toBe(0);
    // A caller that still believes in version 1 is not served the old token from memory either.
    for (const credentialVersion of [1, 2, undefined]) {
      expect(await getAccessToken(services, { credentialId: id, credentialVersion, actor: system, policy })).toMatchObject({ ok: true, data: { accessToken: 'token-of-erp-new-2' } });
    }
    // Not the old client's refresh token with the new client: a fresh client_credentials grant.
    expect(grants).toEqual(['erp:client_credentials:invoices', 'erp-new:client_credentials:invoices.read']);
  });

  it('a token fetched while the credential changes is thrown away, not stored for the new secret', async () => {
    const { updateCredential } = await import('@/lib/server/credentials/update-credential');
    let id = '';
    const server = await fault((_, __, res) => {
      // The admin saves a new secret while the old one's token request is on the wire.
      void updateCredential(services, { actor: system, organizationId, input: { credentialId: id, version: 1, label: 'changed', values: { tokenUrl: `${server.url}/token`, clientId: 'erp', clientSecret: 'the-new-secret-0123456789', clientAuth: 'client_secret_basic', scope: 'invoices' } } }).then(
        (updated) => {
          expect(updated).toMatchObject({ ok: true });
          json(res, 200, { access_token: 'of-the-old-secret', token_type: 'Bearer', expires_in: 3600 });
        },
      );
    });
    id = await credentialFor(`${server.url}/token`);
    expect(await token(id)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'TokenGrant', ownerId: id } })).toBe(0);
  });

  it('a token invalidated after a 401 is fetched anew', async () => {
    let n = 0;
    const server = await fault((_, __, res) => json(res, 200, { access_token: `t${++n}`, token_type: 'Bearer', expires_in: 600 }));
    const id = await credentialFor(`${server.url}/token`);
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 't1' } });
    await invalidateAccessToken(services, id);
    expect(await token(id)).toMatchObject({ ok: true, data: { accessToken: 't2' } });
  });
});

describe('authorizedFetch', () => {
  it('on a 401 drops the token, gets a new one and retries once', async () => {
    const db = await openTestDatabase('pglite');
    const servers: { close(): Promise<void> }[] = [];
    try {
      const services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
      await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
      const entity = await db.prisma.legalEntity.findFirstOrThrow();
      let issued = 0;
      const tokens = await startFaultServer((_, __, res) => json(res, 200, { access_token: `t${++issued}`, token_type: 'Bearer', expires_in: 600 }));
      const seen: string[] = [];
      const api = await startFaultServer((req, _, res) => {
        seen.push(req.headers.authorization ?? '');
        // The provider revoked t1 early; t2 works.
        if (req.headers.authorization === 'Bearer t1') return json(res, 401, { error: 'invalid_token' });
        json(res, 200, { ok: true });
      });
      servers.push(tokens, api);
      const created = await createCredential(services, {
        actor: system,
        organizationId: entity.organizationId,
        input: {
          legalEntityId: entity.id,
          profile: 'oauth2-client-credentials',
          environment: 'SANDBOX',
          label: 'api caller',
          values: { tokenUrl: `${tokens.url}/token`, clientId: 'erp', clientSecret: 'secret-0123456789', clientAuth: 'client_secret_basic' },
        },
      });
      if (!created.ok) throw new Error(created.error.message);
      const { authorizedFetch } = await import('@/lib/server/tokens/authorized-fetch');
      const response = await authorizedFetch(services, { credentialId: created.data.id, actor: system, policy }, `${api.url}/invoices`);
      expect(response.status).toBe(200);
      expect(seen).toEqual(['Bearer t1', 'Bearer t2']);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await db.close();
    }
  });
});
