import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { runDueJobs } from '@/lib/server/jobs/scheduler';
import { collectMetrics } from '@/lib/server/metrics/collect-metrics';
import { metricsAccess } from '@/lib/server/metrics/metrics-access';
import { databaseHeld } from '@/lib/server/metrics/metrics';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { json, startFaultServer, startOidcProvider } from '@/lib/server/test-support/test-servers';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';

const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 2_000, maxBytes: 64 * 1024 };
const system = { type: 'SYSTEM' as const };

/** One sample's value in Prometheus text (0 when absent), labels matched exactly. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(/,(?=[a-z_]+=")/).filter(Boolean).sort().join(',');
    if (have === wanted) return Number(match[3]);
  }
  return 0;
}

describe.each(testDatabaseKinds())('metrics on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-in-these-tests' });
    ({ organizationId, id: legalEntityId } = await db.prisma.legalEntity.findFirstOrThrow({ where: { country: 'AE' } }));
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await db.close();
  });
  const oauth = async (tokenUrl: string, clientSecret: string) => {
    const created = await createCredential(services, {
      actor: system,
      organizationId,
      input: { legalEntityId, profile: 'oauth2-client-credentials', environment: 'SANDBOX', label: `metrics ${randomUUID()}`, values: { tokenUrl, clientId: 'erp', clientSecret, clientAuth: 'client_secret_basic' } },
    });
    if (!created.ok) throw new Error(created.error.message);
    return created.data.id;
  };
  const scrape = () => collectMetrics(services);

  it('counts each token served by where it came from, and each failure by kind, by exactly one', async () => {
    const oidc = await startOidcProvider({ clients: [{ clientId: 'erp', clientSecret: 'metrics-client-secret-0123456789' }], ttlSeconds: 900 });
    closers.push(oidc.close);
    const id = await oauth(oidc.tokenUrl, 'metrics-client-secret-0123456789');
    const token = () => getAccessToken(services, { credentialId: id, credentialVersion: 1, actor: system, policy });
    const count = async (outcome: string) => sample(await scrape(), 'strongroom_token_requests_total', { outcome });
    const before = { fetched: await count('fetched'), memory: await count('memory'), database: await count('database'), permanent: await count('failed_permanent') };
    const calls = sample(await scrape(), 'strongroom_token_provider_seconds_count', { outcome: 'success' });

    expect(await token()).toMatchObject({ ok: true });
    expect(await count('fetched')).toBe(before.fetched + 1);
    expect(sample(await scrape(), 'strongroom_token_provider_seconds_count', { outcome: 'success' })).toBe(calls + 1);
    expect(await token()).toMatchObject({ ok: true });
    expect(await count('memory')).toBe(before.memory + 1);
    forgetAccessToken(id);
    expect(await token()).toMatchObject({ ok: true });
    expect(await count('database')).toBe(before.database + 1);
    expect(await count('fetched')).toBe(before.fetched + 1);

    // A provider that refuses the client: a permanent failure, one provider call of that kind.
    const refusing = await startFaultServer((_, __, res) => json(res, 401, { error: 'invalid_client' }));
    closers.push(refusing.close);
    const refused = await oauth(`${refusing.url}/token`, 'a-secret-the-provider-refuses-000');
    const permanentCalls = sample(await scrape(), 'strongroom_token_provider_seconds_count', { outcome: 'permanent' });
    expect(await getAccessToken(services, { credentialId: refused, actor: system, policy })).toMatchObject({ ok: false });
    expect(await count('failed_permanent')).toBe(before.permanent + 1);
    expect(sample(await scrape(), 'strongroom_token_provider_seconds_count', { outcome: 'permanent' })).toBe(permanentCalls + 1);
    // The metrics name no credential, and carry no secret.
    const text = await scrape();
    for (const leak of [id, refused, 'metrics-client-secret-0123456789', 'a-secret-the-provider-refuses-000']) expect(text).not.toContain(leak);
  });

  it('counts a failed connection test, and shows credentials by regime, status and health as the database holds them', async () => {
    const down = await startFaultServer((_, __, res) => json(res, 500, { error: 'server_error' }));
    closers.push(down.close);
    const id = await oauth(`${down.url}/token`, 'connection-test-secret-0123456789');
    const failures = sample(await scrape(), 'strongroom_connection_tests_total', { outcome: 'FAILURE' });
    expect(await runConnectionTest(services, { organizationId, credentialId: id, trigger: 'API', actor: system, policy })).toMatchObject({ ok: true, data: { outcome: 'FAILURE' } });
    const text = await scrape();
    expect(sample(text, 'strongroom_connection_tests_total', { outcome: 'FAILURE' })).toBe(failures + 1);
    const failing = await db.prisma.credential.count({ where: { deletedAt: null, status: 'ACTIVE', lastTestOutcome: 'FAILURE', profile: { in: ['oauth2-client-credentials', 'api-key'] } } });
    expect(failing).toBeGreaterThan(0);
    // Every credential is counted once, under a regime (or "other"), its status and health.
    const total = [...text.matchAll(/^strongroom_credentials\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(total).toBe(await db.prisma.credential.count({ where: { deletedAt: null } }));
    expect(sample(text, 'strongroom_database_up')).toBe(1);
    expect(sample(text, 'strongroom_key_provider_usable', { provider: 'env', current: 'true' })).toBe(1);
  });

  it('times each transaction (on PostgreSQL, each use of a pooled connection) and shows the pool', async () => {
    const held = async () => (await databaseHeld.get()).values.find((v) => v.metricName === 'strongroom_database_held_seconds_count' && v.labels.database === kind)?.value ?? 0;
    const before = await held();
    await db.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      await tx.$queryRaw`SELECT 2`;
    });
    expect(await held()).toBe(before + 1); // two statements, one transaction
    await db.prisma.$queryRaw`SELECT 3`;
    expect(await held()).toBe(kind === 'postgres' ? before + 2 : before + 1); // a statement alone: a connection's use on PostgreSQL
    if (kind === 'postgres') {
      const text = await scrape();
      expect(sample(text, 'strongroom_database_pool_connections', { state: 'idle' })).toBeGreaterThan(0);
      expect(sample(text, 'strongroom_database_pool_connections', { state: 'waiting' })).toBe(0);
    }
  });

  it('records each job run: its last success, its duration, and a failure', async () => {
    const jobs = [
      { name: `ok-${kind}`, description: 'works', intervalMs: 60_000, leaseMs: 60_000, run: async () => 'done' },
      { name: `broken-${kind}`, description: 'fails', intervalMs: 60_000, leaseMs: 60_000, run: async () => Promise.reject(new Error('no')) },
    ];
    expect((await runDueJobs(services, jobs)).sort()).toEqual([`broken-${kind}`, `ok-${kind}`]);
    const text = await scrape();
    expect(sample(text, 'strongroom_job_last_success_timestamp_seconds', { job: `ok-${kind}` })).toBeGreaterThan(0);
    expect(sample(text, 'strongroom_job_last_success_timestamp_seconds', { job: `broken-${kind}` })).toBe(0);
    expect(sample(text, 'strongroom_job_failures_total', { job: `broken-${kind}` })).toBe(1);
    expect(sample(text, 'strongroom_job_duration_seconds_count', { job: `ok-${kind}` })).toBe(1);
    // Not due again for a minute: no lag yet.
    expect(sample(text, 'strongroom_job_lag_seconds', { job: `ok-${kind}` })).toBe(0);
  });
});

describe('who may scrape', () => {
  const token = 'a'.repeat(40);
  it('only the bearer of the configured token; nobody when none is configured', () => {
    expect(metricsAccess(`Bearer ${token}`, token)).toBe('allowed');
    expect(metricsAccess(`Bearer ${token}x`, token)).toBe('refused');
    expect(metricsAccess(`bearer  ${token}`, token)).toBe('refused');
    expect(metricsAccess(token, token)).toBe('refused');
    expect(metricsAccess(null, token)).toBe('refused');
    expect(metricsAccess(`Bearer ${token}`, undefined)).toBe('not_configured');
    expect(metricsAccess(null, undefined)).toBe('not_configured');
  });
});
