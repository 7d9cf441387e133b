import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setClock } from '@/lib/server/clock';
import { runScheduledTests } from '@/lib/server/connection-tests/run-scheduled-tests';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { scanExpiry } from '@/lib/server/credentials/scan-expiry';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { smtpMailer } from '@/lib/server/mail/mailer';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { createWebhookEndpoint, urlRefusal } from '@/lib/server/notifications/create-webhook-endpoint';
import { deliveryAttempts } from '@/lib/server/metrics/metrics';
import { deliverNotifications, RETRY_DELAYS_MS } from '@/lib/server/notifications/deliver-notifications';
import { raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import type { Services } from '@/lib/server/services';
import { createFirstOrganization } from '@/lib/server/setup/create-organization';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { json, startFaultServer, startOidcProvider } from '@/lib/server/test-support/test-servers';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { refreshDueTokens } from '@/lib/server/tokens/refresh-due-tokens';
import { flightsSettled } from '@/lib/server/tokens/single-flight';

const DAY = 86_400_000;
const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 2_000, maxBytes: 64 * 1024 };
const system = { type: 'SYSTEM' as const };

// The lifecycle jobs end to end, with time moved by the test: a real SMTP server and a webhook
// receiver on loopback get what Strongroom sends, the receiver checks signatures with the
// standardwebhooks package, and tokens come from oidc-provider or a fault-injecting local server.
describe.each(testDatabaseKinds())('lifecycle automation on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  let adminEmail: string;
  const mails: { to: string[]; data: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        done();
      });
    },
  });
  let mailer: ReturnType<typeof smtpMailer>;
  const hooks: { headers: IncomingHttpHeaders; body: string }[] = [];
  let hookStatus = 204;
  let receiver: Awaited<ReturnType<typeof startFaultServer>>;
  const deps = () => ({ mailer, policy, baseUrl: 'https://vault.acme.example' });

  let clock = Date.now();
  let restoreClock = () => {};
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const created = await db.prisma.$transaction((tx) => createFirstOrganization(tx, { organizationName: 'Acme Group', name: 'Ada Admin', email: 'ada@acme.example', passwordHash: 'unused' }));
    organizationId = created!.organization.id;
    adminEmail = created!.admin.email;
    legalEntityId = (await db.prisma.legalEntity.create({ data: { organizationId, name: 'Acme Trading LLC', taxId: '100000000000003', country: 'AE' } })).id;
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    mailer = smtpMailer({ url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, from: 'Strongroom <vault@acme.example>' });
    receiver = await startFaultServer((req, body, res) => {
      hooks.push({ headers: req.headers, body });
      res.writeHead(hookStatus).end();
    });
  });
  afterEach(async () => {
    await flightsSettled();
    restoreClock();
    mails.splice(0);
    hooks.splice(0);
    hookStatus = 204;
  });
  afterAll(async () => {
    await receiver.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await db.close();
  });
  const useClock = () => {
    clock = Date.now();
    restoreClock = setClock(() => clock);
  };

  const apiKeyCredential = async (values: Record<string, string>) => {
    const result = await createCredential(services, {
      actor: system,
      organizationId,
      input: { legalEntityId, profile: 'api-key', environment: 'PRODUCTION', label: `key ${randomBytes(4).toString('hex')}`, values: { headerName: 'X-API-Key', apiKey: 'an-api-key-value-123', ...values } },
    });
    if (!result.ok) throw new Error(result.error.message);
    return result.data.id;
  };
  const notifications = (credentialId: string, event: string) => db.prisma.notification.count({ where: { credentialId, event } });

  it('a credential 10 days from expiry: exactly one mail and one signed webhook, then weekly, then daily', async () => {
    useClock();
    const endpoint = await createWebhookEndpoint(services, { actor: system, organizationId, input: { url: `${receiver.url}/hooks`, eventTypes: ['credential.expiring'] }, policy });
    if (!endpoint.ok) throw new Error(endpoint.error.message);
    expect(endpoint.data.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // Midnight UTC ten days on: between 9 and 10 days away, "in 10 days".
    const start = clock;
    const expiresOn = new Date(clock + 10 * DAY).toISOString().slice(0, 10);
    const id = await apiKeyCredential({ baseUrl: 'https://api.example.com', secretExpiresOn: expiresOn });
    await db.prisma.credential.update({ where: { id }, data: { ownerId: (await db.prisma.user.findFirstOrThrow()).id } });

    expect(await scanExpiry(services)).toMatchObject({ expired: 0, reminded: 1 });
    expect(await scanExpiry(services)).toMatchObject({ reminded: 0 });
    const sent = await deliverNotifications(services, deps());
    expect(sent).toEqual({ delivered: 2, retrying: 0, failed: 0, postponed: 0 });

    // The owner is the administrator here: one mail, not two.
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual([adminEmail]);
    expect(mails[0]!.data).toMatch(/^Subject: Expiring in 10 days: key /m);
    expect(mails[0]!.data).not.toContain('an-api-key-value-123');
    expect(hooks).toHaveLength(1);
    const [hook] = hooks;
    const verified = new Webhook(endpoint.data.signingSecret).verify(hook!.body, hook!.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(verified).toMatchObject({ type: 'credential.expiring', data: { credentialId: id, legalEntityName: 'Acme Trading LLC', daysLeft: 10, status: 'ACTIVE' } });
    expect(hook!.body).not.toContain('an-api-key-value-123');
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(hook!.body, hook!.headers as Record<string, string>)).toThrow();

    // Weekly while more than a week is left: nothing new later that day, nor 9 and 8 days before.
    for (const offset of [3_600_000, DAY, 2 * DAY]) {
      clock = start + offset;
      expect((await scanExpiry(services)).reminded).toBe(0);
    }
    // Daily in the last week: 7 days before, not again that day, then 6 days before.
    const reminded = [];
    for (const offset of [3 * DAY, 3 * DAY + 3_600_000, 4 * DAY]) {
      clock = start + offset;
      reminded.push((await scanExpiry(services)).reminded);
    }
    expect(reminded).toEqual([1, 0, 1]);
    expect(await notifications(id, 'credential.expiring')).toBe(3);
  });

  it('at its expiry a credential becomes EXPIRED, people are told once, and it is not served', async () => {
    useClock();
    const id = await apiKeyCredential({ baseUrl: 'https://api.example.com', secretExpiresOn: new Date(clock + 2 * DAY).toISOString().slice(0, 10) });
    clock += 3 * DAY;
    expect((await scanExpiry(services)).expired).toBeGreaterThanOrEqual(1);
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'EXPIRED' });
    clock += DAY;
    await scanExpiry(services);
    expect(await notifications(id, 'credential.expired')).toBe(1);
    expect(await db.prisma.auditEvent.count({ where: { targetId: id, action: 'credential.expire', actorType: 'SYSTEM' } })).toBe(1);
  });

  it('a credential without a known expiry is never expiring or expired', async () => {
    useClock();
    const id = await apiKeyCredential({ baseUrl: 'https://api.example.com' });
    clock += 400 * DAY;
    await scanExpiry(services);
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE', expiresAt: null });
    expect(await db.prisma.notification.count({ where: { credentialId: id } })).toBe(0);
  });

  it('refreshes a token ahead of its expiry (REFRESHING meanwhile) through the real provider', async () => {
    useClock();
    const clientSecret = randomBytes(20).toString('hex');
    const provider = await startOidcProvider({ clients: [{ clientId: 'erp', clientSecret }], ttlSeconds: 3600 });
    try {
      const result = await createCredential(services, {
        actor: system,
        organizationId,
        input: { legalEntityId, profile: 'oauth2-client-credentials', environment: 'SANDBOX', label: 'erp', values: { tokenUrl: provider.tokenUrl, clientId: 'erp', clientSecret, clientAuth: 'client_secret_basic' } },
      });
      if (!result.ok) throw new Error(result.error.message);
      const id = result.data.id;
      const first = await getAccessToken(services, { credentialId: id, actor: system, policy });
      expect(first.ok).toBe(true);
      // Not due yet (refresh point: 5 minutes before expiry).
      expect(await refreshDueTokens(services, { horizonMs: 60_000, policy })).toMatchObject({ refreshed: 0 });
      clock += 3600_000 - 5.5 * 60_000;
      expect(await refreshDueTokens(services, { horizonMs: 60_000, policy })).toMatchObject({ refreshed: 1, failed: 0 });
      expect(provider.issued()).toBe(2);
      expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE' });
      const moves = await db.prisma.auditEvent.findMany({ where: { targetId: id, action: { in: ['token.refresh_ahead', 'token.obtain'] } }, orderBy: { seq: 'asc' }, select: { action: true, details: true } });
      expect(moves.slice(-2)).toMatchObject([
        { action: 'token.refresh_ahead', details: { fromStatus: 'ACTIVE', toStatus: 'REFRESHING' } },
        { action: 'token.obtain', details: { fromStatus: 'REFRESHING', toStatus: 'ACTIVE' } },
      ]);
    } finally {
      await provider.close();
    }
  });

  it('a token endpoint that answers invalid_client: NEEDS_ATTENTION and one notification, not one per tick', async () => {
    useClock();
    let refuse = false;
    const statuses: string[] = [];
    let credentialId = '';
    const server = await startFaultServer((_req, _body, res) => {
      if (!refuse) return json(res, 200, { access_token: `tok-${randomBytes(4).toString('hex')}`, token_type: 'Bearer', expires_in: 600 });
      // What the credential shows while its token is being fetched.
      void db.prisma.credential.findUniqueOrThrow({ where: { id: credentialId } }).then((c) => {
        statuses.push(c.status);
        json(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
      });
    });
    try {
      const result = await createCredential(services, {
        actor: system,
        organizationId,
        input: { legalEntityId, profile: 'oauth2-client-credentials', environment: 'SANDBOX', label: 'refused', values: { tokenUrl: `${server.url}/token`, clientId: 'erp', clientSecret: 'a-client-secret-1234', clientAuth: 'client_secret_basic' } },
      });
      if (!result.ok) throw new Error(result.error.message);
      credentialId = result.data.id;
      expect((await getAccessToken(services, { credentialId, actor: system, policy })).ok).toBe(true);
      refuse = true;
      clock += 301_000;
      expect(await refreshDueTokens(services, { horizonMs: 60_000, policy })).toMatchObject({ failed: 1 });
      expect(statuses).toEqual(['REFRESHING']);
      expect(await db.prisma.credential.findUniqueOrThrow({ where: { id: credentialId } })).toMatchObject({ status: 'NEEDS_ATTENTION' });
      for (let tick = 0; tick < 5; tick++) {
        clock += 60_000;
        expect(await refreshDueTokens(services, { horizonMs: 60_000, policy })).toMatchObject({ refreshed: 0, failed: 0 });
      }
      expect(server.calls()).toBe(2);
      expect(await notifications(credentialId, 'credential.refresh_failed')).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a credential left REFRESHING by a crashed instance is put back and refreshed', async () => {
    useClock();
    const server = await startFaultServer((_req, _body, res) => json(res, 200, { access_token: `tok-${randomBytes(4).toString('hex')}`, token_type: 'Bearer', expires_in: 600 }));
    try {
      const result = await createCredential(services, {
        actor: system,
        organizationId,
        input: { legalEntityId, profile: 'oauth2-client-credentials', environment: 'SANDBOX', label: 'stranded', values: { tokenUrl: `${server.url}/token`, clientId: 'erp', clientSecret: 'a-client-secret-1234', clientAuth: 'client_secret_basic' } },
      });
      if (!result.ok) throw new Error(result.error.message);
      const id = result.data.id;
      expect((await getAccessToken(services, { credentialId: id, actor: system, policy })).ok).toBe(true);
      // The instance set REFRESHING and died before asking: its lease lapsed.
      await db.prisma.$executeRaw`UPDATE "Credential" SET status = 'REFRESHING' WHERE id = ${id}::uuid`;
      clock += 301_000;
      expect(await refreshDueTokens(services, { horizonMs: 60_000, policy })).toMatchObject({ recovered: 1, refreshed: 1 });
      expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE' });
    } finally {
      await server.close();
    }
  });

  it('scheduled tests run when due (trigger SCHEDULER); three failures in a row tell people once', async () => {
    useClock();
    const health = await startFaultServer((_req, _body, res) => json(res, 503, { error: 'maintenance' }));
    try {
      const id = await apiKeyCredential({ baseUrl: health.url, healthPath: '/health' });
      await db.prisma.credential.updateMany({ where: { id: { not: id } }, data: { testEveryHours: null } });
      await db.prisma.credential.update({ where: { id }, data: { testEveryHours: 6 } });
      const runs = [];
      for (let round = 0; round < 5; round++) {
        runs.push(await runScheduledTests(services, { policy }));
        // Not due again until its interval has passed.
        expect(await runScheduledTests(services, { policy })).toEqual({ passed: 0, failed: 0, skipped: 0 });
        clock += 6 * 3_600_000;
      }
      expect(runs).toEqual(Array(5).fill({ passed: 0, failed: 1, skipped: 0 }));
      expect(await db.prisma.connectionTest.count({ where: { credentialId: id, trigger: 'SCHEDULER' } })).toBe(5);
      expect(await notifications(id, 'credential.test_failing')).toBe(1);
      const [notice] = await db.prisma.notification.findMany({ where: { credentialId: id, event: 'credential.test_failing' } });
      expect(notice!.data).toMatchObject({ consecutiveFailures: 3 });
    } finally {
      await health.close();
    }
  });

  it('a failing webhook endpoint is retried with backoff; an unreachable mail server fails only its own delivery', async () => {
    useClock();
    const endpoint = await createWebhookEndpoint(services, { actor: system, organizationId, input: { url: `${receiver.url}/retry`, eventTypes: ['credential.expired'] }, policy });
    if (!endpoint.ok) throw new Error(endpoint.error.message);
    await apiKeyCredential({ baseUrl: 'https://api.example.com', secretExpiresOn: new Date(clock - DAY).toISOString().slice(0, 10) });
    await scanExpiry(services);
    hookStatus = 500;
    const closed = smtpMailer({ url: 'smtp://127.0.0.1:9', from: 'Strongroom <vault@acme.example>' });
    const attempts = async (channel: string, result: string) => (await deliveryAttempts.get()).values.find((v) => v.labels.channel === channel && v.labels.result === result)?.value ?? 0;
    const before = { retry: await attempts('WEBHOOK', 'retry'), delivered: await attempts('WEBHOOK', 'delivered'), mailRetry: await attempts('EMAIL', 'retry') };
    const first = await deliverNotifications(services, { ...deps(), mailer: closed });
    expect(first).toMatchObject({ delivered: 0, failed: 0 });
    expect(first.retrying).toBeGreaterThanOrEqual(2);
    // The metrics count each attempt by channel and result.
    const webhookRetries = (await attempts('WEBHOOK', 'retry')) - before.retry;
    expect(webhookRetries).toBeGreaterThanOrEqual(1);
    expect(webhookRetries + (await attempts('EMAIL', 'retry')) - before.mailRetry).toBe(first.retrying);
    // Not before its backoff.
    expect(await deliverNotifications(services, deps())).toEqual({ delivered: 0, retrying: 0, failed: 0, postponed: 0 });
    hookStatus = 200;
    clock += RETRY_DELAYS_MS[0];
    const second = await deliverNotifications(services, deps());
    expect(second.delivered).toBe(first.retrying);
    expect((await attempts('WEBHOOK', 'delivered')) - before.delivered).toBe(webhookRetries);
    const log = await db.prisma.deliveryAttempt.findMany({ where: { delivery: { endpointId: endpoint.data.id } }, orderBy: { at: 'asc' } });
    expect(log.map((a) => [a.attempt, a.responseStatus])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    // Every try is the same message: one webhook-id.
    expect(new Set(hooks.filter((h) => h.headers['webhook-id']).map((h) => h.headers['webhook-id'])).size).toBe(1);
  });

  it('refuses webhook URLs the outbound guard refuses', async () => {
    for (const url of ['http://hooks.example.com/x', 'https://10.1.2.3/x', 'https://[::ffff:192.168.0.1]/x', 'https://169.254.169.254/latest']) {
      const result = await createWebhookEndpoint(services, { actor: system, organizationId, input: { url, eventTypes: ['credential.expired'] }, policy: { ...policy, allowLoopback: false } });
      expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', fieldErrors: { url: [expect.any(String)] } } });
    }
    expect(await createWebhookEndpoint(services, { actor: system, organizationId, input: { url: `${receiver.url}/x`, eventTypes: [] }, policy })).toMatchObject({ ok: false, error: { fieldErrors: { eventTypes: ['Choose at least one event'] } } });
    // A name ending in a dot is refused before any lookup.
    expect(await createWebhookEndpoint(services, { actor: system, organizationId, input: { url: 'https://localhost./x', eventTypes: ['credential.expired'] }, policy })).toMatchObject({
      ok: false,
      error: { fieldErrors: { url: ['Write the host name without the dot at its end (localhost).'] } },
    });
  });

  it('refuses a webhook host that does not resolve (no lookup leaves this machine: the resolver is given)', async () => {
    const nowhere = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await urlRefusal('https://hooks.acme.example/strongroom', policy, nowhere)).toBe('hooks.acme.example does not resolve to an address: check the name.');
    expect(await urlRefusal('https://hooks.acme.example/strongroom', policy, async () => [{ address: '93.184.215.14' }])).toBeNull();
    expect(await urlRefusal('https://hooks.acme.example/strongroom', policy, async () => [{ address: '10.0.0.8' }])).toMatch(/resolves to .*refused/);
  });

  describe('deliveries in lanes', () => {
    /** Three notifications, each to the admin's mailbox and to every endpoint subscribed to credential.expired. */
    const raiseThree = async () => {
      const tag = randomBytes(4).toString('hex');
      await db.prisma.$transaction((tx) =>
        raiseNotifications(
          tx,
          [1, 2, 3].map((n) => ({ organizationId, credentialId: null, event: 'credential.expired' as const, dedupeKey: `lanes:${tag}:${n}`, data: { n }, mailTo: [adminEmail] })),
        ),
      );
    };
    const endpoint = async (url: string) => {
      const created = await createWebhookEndpoint(services, { actor: system, organizationId, input: { url, eventTypes: ['credential.expired'] }, policy });
      if (!created.ok) throw new Error(created.error.message);
      return created.data.id;
    };
    // Only this block's endpoints and deliveries: those of the tests before are put aside.
    const putAside = async () => {
      await db.prisma.webhookEndpoint.deleteMany({ where: { organizationId } });
      await db.prisma.notificationDelivery.updateMany({ where: { status: 'PENDING' }, data: { status: 'FAILED' } });
    };
    beforeEach(putAside);
    afterEach(putAside);

    it('mail goes out while endpoints hang, and an endpoint gets one call at a time', async () => {
      let release = false;
      const held: ServerResponse[] = [];
      const hanging = await startFaultServer((_req, _body, res) => (release ? res.destroy() : held.push(res)));
      let inFlight = 0;
      let mostAtOnce = 0;
      const counting = await startFaultServer((_req, _body, res) => {
        mostAtOnce = Math.max(mostAtOnce, ++inFlight);
        setImmediate(() => (inFlight--, res.writeHead(204).end()));
      });
      try {
        await endpoint(`${hanging.url}/hang`);
        const countingId = await endpoint(`${counting.url}/count`);
        await raiseThree();
        const webhooks = deliverNotifications(services, { ...deps(), policy: { ...policy, timeoutMs: 60_000 } }, { channel: 'WEBHOOK' });
        // The webhook run is stuck on the hanging endpoint; mail has its own run and is not behind it.
        expect(await deliverNotifications(services, deps(), { channel: 'EMAIL' })).toMatchObject({ delivered: 3, retrying: 0, failed: 0 });
        expect(mails).toHaveLength(3);
        release = true;
        for (const res of held.splice(0)) res.destroy();
        expect(await webhooks).toMatchObject({ delivered: 3, retrying: 3 });
        expect(mostAtOnce).toBe(1);
        expect(await db.prisma.notificationDelivery.count({ where: { endpointId: countingId, status: 'DELIVERED' } })).toBe(3);
      } finally {
        await hanging.close();
        await counting.close();
      }
    });

    it('an endpoint that does not answer in time waits for the next run with its other deliveries; a run starts nothing after its time budget', async () => {
      useClock();
      const silent = await startFaultServer(() => undefined);
      let calls = 0;
      const slowClock = await startFaultServer((_req, _body, res) => {
        calls++;
        clock += 31_000; // this call took past the run's budget
        res.writeHead(204).end();
      });
      try {
        const silentId = await endpoint(`${silent.url}/silent`);
        await raiseThree();
        const timedOut = await deliverNotifications(services, { ...deps(), policy: { ...policy, timeoutMs: 200 } }, { channel: 'WEBHOOK' });
        expect(timedOut).toMatchObject({ retrying: 1, postponed: 2 });
        const left = await db.prisma.notificationDelivery.findMany({ where: { endpointId: silentId, attempts: 0 } });
        expect(left.map((d) => [d.status, d.nextAttemptAt.getTime() <= clock])).toEqual([
          ['PENDING', true],
          ['PENDING', true],
        ]);
        await db.prisma.webhookEndpoint.delete({ where: { id: silentId } });

        await endpoint(`${slowClock.url}/budget`);
        await raiseThree();
        expect(await deliverNotifications(services, deps(), { channel: 'WEBHOOK' })).toMatchObject({ delivered: 1, postponed: 2 });
        expect(calls).toBe(1);
      } finally {
        await silent.close();
        await slowClock.close();
      }
    });
  });
});
