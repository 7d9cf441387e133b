// npm run bench: measures the crypto and the credential store on this machine. Prints a table, then
// one JSON line { "<measure>": { "p50_ms", "p99_ms", "ops" }, … } as the last line.
// Embedded PGlite always; PostgreSQL too when TEST_DATABASE_URL is set.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { constants, createCipheriv, createDecipheriv, createPrivateKey, randomBytes, randomUUID, scryptSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { writeBackup } from '@/lib/server/backup/backup-file';
import { restoreBackup } from '@/lib/server/backup/restore-backup';
import { writeNewSecrets } from '@/lib/server/crypto/sealed-secrets';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, get as httpGet } from 'node:http';
import { applyMigrations } from '@/lib/server/db/migrations';
import { openDatabase, type Database } from '@/lib/server/db/open-database';
import { findPrincipal } from '@/lib/server/api/principal-cache';
import { createServiceAccount } from '@/lib/server/service-accounts/create-service-account';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { invalidateAccessToken } from '@/lib/server/tokens/token-grant';
import { flightsSettled } from '@/lib/server/tokens/single-flight';
import { setClock } from '@/lib/server/clock';
import { requestToken } from '@/lib/server/tokens/request-token';
import { json, startFaultServer } from '@/lib/server/test-support/test-servers';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { updateCredential } from '@/lib/server/credentials/update-credential';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import type { Services } from '@/lib/server/services';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { openAwsKmsKek } from '@/lib/server/crypto/aws-kms-kek';
import { forgetDataKeys, unwrapDataKey, wrapDataKey } from '@/lib/server/crypto/data-keys';
import { generatePkcs11Kek, openPkcs11Kek } from '@/lib/server/crypto/pkcs11-kek';
import { rewrapDataKeys } from '@/lib/server/crypto/rewrap-data-keys';
import { openVaultTransitKek } from '@/lib/server/crypto/vault-transit-kek';
import { startFakeKms, startFakeVault } from '@/lib/server/test-support/fake-key-services';
import { softHsm } from '@/lib/server/test-support/softhsm';
import { openString, sealString } from '@/lib/server/crypto/sealed-format';
import { openTestDatabase, testDatabaseKinds, type TestDatabaseKind } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { createOAuthCredential } from '@/lib/server/test-support/oauth-credential';
import { scanExpiry } from '@/lib/server/credentials/scan-expiry';
import { refreshDueTokens } from '@/lib/server/tokens/refresh-due-tokens';
import { tokenRequests } from '@/lib/server/metrics/metrics';
import type { TSignAlgorithm } from '@/lib/schemas/signing';
import { proxyCall } from '@/lib/server/proxy/proxy-call';
import { signDigest } from '@/lib/server/signing/sign-digest';
import { issueCertificate, makeCertificate } from '@/lib/server/test-support/certificates';
import { httpMetrics } from './http-metrics.mjs';

interface Measure {
  p50_ms: number;
  p95_ms?: number;
  p99_ms: number;
  ops: number;
  rps?: number;
  max_ms?: number;
  refused?: number;
}

/** One run of a batch job: its wall time, what the far side counted, the most calls at once. */
interface BatchMeasure {
  ops: number;
  wall_ms: number;
  calls: number;
  peak_concurrency: number;
}

const results: Record<string, Measure | BatchMeasure | number> = {};

async function measure(name: string, ops: number, run: (i: number) => unknown | Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(50, ops); i++) await run(-1 - i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ops; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  record(name, times, ops);
}

/** Like `measure`, for several operations called one after the other in each round. */
async function measureInTurn(names: string[], ops: number, runs: ((i: number) => unknown | Promise<unknown>)[]): Promise<void> {
  for (let i = 0; i < Math.min(50, ops); i++) for (const run of runs) await run(-1 - i);
  const times = runs.map((): number[] => []);
  for (let i = 0; i < ops; i++) {
    for (const [k, run] of runs.entries()) {
      const start = performance.now();
      await run(i);
      times[k]!.push(performance.now() - start);
    }
  }
  for (const [k, name] of names.entries()) record(name, times[k]!, ops);
}

function record(name: string, times: number[], ops: number) {
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(4));
  results[name] = { p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99), ops };
  process.stdout.write(`${name.padEnd(32)} p50 ${String(at(0.5)).padStart(9)} ms   p95 ${String(at(0.95)).padStart(9)} ms   p99 ${String(at(0.99)).padStart(9)} ms   (${ops} ops)\n`);
}

/**
 * The floor every database figure is stated against: one interactive transaction with a read, a row
 * lock and an insert into a table without triggers (ConnectionTest has one since 5 December, which
 * would make the floor itself heavier); no crypto.
 */
async function floorTransaction(prisma: Database['prisma'], credentialId: string) {
  await prisma.$transaction(async (tx) => {
    await tx.credential.findUnique({ where: { id: credentialId }, select: { id: true, version: true } });
    await tx.$queryRaw`SELECT id FROM "Credential" WHERE id = ${credentialId}::uuid FOR UPDATE`;
    await tx.rateLimiterFlexible.create({ data: { key: `bench-floor:${randomUUID()}`, points: 1 } });
  });
}

/**
 * What metrics add to one service API request, measured in this process: the HTTP counter and
 * histogram (serve.mjs) and the token counter (get-access-token.ts), 200,000 times; the request's
 * total cost is the API measure's (1 / req/s per core), from the same run.
 */
async function metricsCost() {
  const countRequest = httpMetrics({ stats: () => ({ running: 0, queued: 0, shed: 0 }) });
  const N = 200_000;
  for (let i = 0; i < 10_000; i++) countRequest('service_api', 200, 0.004);
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    countRequest('service_api', 200, 0.004);
    tokenRequests.inc({ outcome: 'memory' });
  }
  const us = ((performance.now() - started) * 1000) / N;
  results.metrics_per_request_us = { p50_ms: us / 1000, p99_ms: us / 1000, ops: N };
  process.stdout.write(`metrics per request (HTTP counter + histogram + token counter): ${us.toFixed(2)} µs\n`);
}

async function cryptoOnly() {
  const dataKey = { id: randomUUID(), key: randomBytes(32) };
  const context = { organizationId: randomUUID(), table: 'Credential', rowId: randomUUID(), field: 'apiKey' };
  const plaintext = randomBytes(50).toString('hex'); // 100 bytes
  const sealed = sealString(dataKey, context, plaintext);
  await measure('seal_100B', 20_000, () => sealString(dataKey, context, plaintext));
  await measure('open_100B', 20_000, () => openString(dataKey, context, sealed));
}

/** Seed 004's scheme: read the row, derive the key with scrypt (Node's defaults) per value, decrypt. */
function seed004(password: string) {
  const salt = randomBytes(16);
  const encrypt = (text: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', scryptSync(password, salt, 32), iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return [salt, iv, cipher.getAuthTag(), body].map((b) => b.toString('base64')).join(':');
  };
  const decrypt = (stored: string) => {
    const [s, iv, tag, body] = stored.split(':').map((part) => Buffer.from(part, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', scryptSync(password, s!, 32), iv!);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8');
  };
  return { encrypt, decrypt };
}

async function store(kind: TestDatabaseKind) {
  const db = await openTestDatabase(kind);
  try {
    await seedDemo(db.prisma, { demoPassword: randomBytes(12).toString('hex') });
    const services: Services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const entity = await db.prisma.legalEntity.findFirstOrThrow();
    const actor = { type: 'SYSTEM' as const };
    const input = (i: number) => ({
      legalEntityId: entity.id,
      profile: 'api-key' as const,
      environment: 'SANDBOX' as const,
      label: `bench ${i} ${randomUUID()}`,
      values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: randomBytes(50).toString('hex') },
    });
    const target = await createCredential(services, { actor, organizationId: entity.organizationId, input: input(0) });
    if (!target.ok) throw new Error(target.error.message);
    // Storing, one call in turn with the floor, so both see the same machine (its speed drifts here
    // by a third within minutes); the other figures below are stated against this floor too.
    await measureInTurn([`store_${kind}`, `floor_tx_${kind}`], 1_000, [
      async (i) => {
        const result = await createCredential(services, { actor, organizationId: entity.organizationId, input: input(i) });
        if (!result.ok) throw new Error(result.error.message);
      },
      () => floorTransaction(db.prisma, target.data.id),
    ]);
    await measure(`open_for_use_${kind}`, 2_000, async () => {
      const result = await openCredentialForUse(services, { actor, credentialId: target.data.id, fields: ['apiKey'], purpose: 'bench' });
      if (!result.ok) throw new Error(result.error.message);
    });
    // Replacing the secret: the old value is opened and sealed again as the previous version.
    let version = target.data.version;
    const { label } = await db.prisma.credential.findUniqueOrThrow({ where: { id: target.data.id }, select: { label: true } });
    await measure(`replace_${kind}`, 1_000, async () => {
      const result = await updateCredential(services, {
        actor,
        organizationId: entity.organizationId,
        input: { credentialId: target.data.id, version, label, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: randomBytes(50).toString('hex') } },
      });
      if (!result.ok) throw new Error(result.error.message);
      version = result.data.version;
    });
    const baseline = seed004(randomBytes(16).toString('hex'));
    const row = await db.prisma.legalEntity.create({
      data: { organizationId: entity.organizationId, name: 'seed 004 baseline', taxId: baseline.encrypt(randomBytes(50).toString('hex')), country: 'AE' },
    });
    await measure(`seed004_scrypt_open_${kind}`, 200, async () => {
      const found = await db.prisma.legalEntity.findUniqueOrThrow({ where: { id: row.id }, select: { taxId: true } });
      baseline.decrypt(found.taxId);
    });
  } finally {
    await db.close();
  }
}

/**
 * Key custody: what one unwrap of a data key costs per provider (env in process, SoftHSMv2 through
 * PKCS#11, and the loopback KMS and Vault servers, which measure the client stacks, not AWS or Vault),
 * and open-for-use with the data key remembered (warm) or unwrapped again each call (cold), next to
 * the floor transaction of the same database.
 */
async function keyProviders(kind: TestDatabaseKind) {
  const identity = { id: randomUUID(), organizationId: randomUUID(), purpose: 'DATA' };
  const token = softHsm()('bench');
  generatePkcs11Kek(token);
  const kms = await startFakeKms();
  const vault = await startFakeVault();
  const db = await openTestDatabase(kind);
  try {
    const keks = {
      env: makeKeyring(randomBytes(32)).current,
      pkcs11: openPkcs11Kek(token),
      aws_kms_loopback: openAwsKmsKek({ keyId: kms.keyArn, region: 'eu-west-1', endpoint: kms.url, credentials: { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-only' } }),
      vault_loopback: openVaultTransitKek({ address: vault.url, mount: 'transit', keyName: 'strongroom', login: { token: 'hvs.test-root-token' } }),
    };
    for (const [name, kek] of Object.entries(keks)) {
      const keyring = makeKeyring(kek);
      const wrapped = await wrapDataKey(keyring, identity, randomBytes(32));
      await measure(`unwrap_${name}_${kind}`, name.endsWith('loopback') ? 500 : 2_000, () => unwrapDataKey(keyring, { ...identity, ...wrapped }));
    }
    await seedDemo(db.prisma, { demoPassword: randomBytes(12).toString('hex') });
    const entity = await db.prisma.legalEntity.findFirstOrThrow();
    for (const name of ['env', 'pkcs11'] as const) {
      const services: Services = { prisma: db.prisma, keyring: makeKeyring(keks[name]) };
      const made = await createCredential(services, { actor: { type: 'SYSTEM' }, organizationId: entity.organizationId, input: { legalEntityId: entity.id, profile: 'api-key', environment: 'SANDBOX', label: `bench keys ${name}`, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: randomBytes(50).toString('hex') } } });
      if (!made.ok) throw new Error(made.error.message);
      const open = async () => {
        const result = await openCredentialForUse(services, { actor: { type: 'SYSTEM' }, credentialId: made.data.id, fields: ['apiKey'], purpose: 'bench' });
        if (!result.ok) throw new Error(result.error.message);
      };
      await measure(`open_warm_${name}_${kind}`, 1_000, open);
      await measure(`open_cold_${name}_${kind}`, 1_000, async () => {
        forgetDataKeys();
        await open();
      });
      // The data keys are under this provider's key now; the next provider starts from its own.
      await rewrapDataKeys(db.prisma, makeKeyring(keks[name === 'env' ? 'pkcs11' : 'env'], [keks[name]]));
    }
    const floorRow = await db.prisma.credential.findFirstOrThrow({ select: { id: true } });
    await measure(`floor_tx_keys_${kind}`, 1_000, () => floorTransaction(db.prisma, floorRow.id));
  } finally {
    await db.close();
    await kms.close();
    await vault.close();
  }
}

const loopbackPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 5_000, maxBytes: 65_536 };

async function tokenServer() {
  let n = 0;
  return startFaultServer((_, __, res) => json(res, 200, { access_token: `bench-token-${++n}-${randomBytes(16).toString('hex')}`, token_type: 'Bearer', expires_in: 3600 }));
}

async function tokens(kind: TestDatabaseKind) {
  const db = await openTestDatabase(kind);
  const server = await tokenServer();
  try {
    await seedDemo(db.prisma, { demoPassword: randomBytes(12).toString('hex') });
    const services: Services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const { id } = await createOAuthCredential(services, `${server.url}/token`);
    // The API passes the credential version it has just read: memory serves the token for it.
    const get = async (credentialVersion?: number) => {
      const result = await getAccessToken(services, { credentialId: id, credentialVersion, actor: { type: 'SYSTEM' }, policy: loopbackPolicy });
      if (!result.ok) throw new Error(result.error.message);
    };
    await get(1);
    await measure(`cached_token_fetch_${kind}`, 20_000, () => get(1));
    // A caller that knows no version (authorizedFetch) reads the sealed token from the database.
    await measure(`stored_token_fetch_${kind}`, 2_000, () => get());
    // What immediate revocation costs each API call: the key and the credential, looked up every time.
    const { organizationId, legalEntityId } = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    const account = await createServiceAccount(services, { actor: { type: 'SYSTEM' }, organizationId, input: { name: 'bench', scopes: ['token:read'], legalEntityIds: [legalEntityId] } });
    if (!account.ok) throw new Error(account.error.message);
    await measure(`api_key_and_credential_lookup_${kind}`, 2_000, async () => {
      if (!(await findPrincipal(services.prisma, account.data.key, id)).credential) throw new Error('lookup failed');
    });
    // A refresh end to end (lease, open secret, token request on loopback, seal, audit) and the bare
    // token request to the same server: the difference is Strongroom's own overhead.
    await measure(`refresh_total_${kind}`, 300, async () => {
      await invalidateAccessToken(services, id);
      await get();
    });
    await measure(`token_request_only_${kind}`, 300, () =>
      requestToken({ tokenUrl: `${server.url}/token`, clientId: 'bench', clientSecret: 'x', clientAuth: 'client_secret_basic' }, loopbackPolicy),
    );
    // A token past its refresh point while the provider answers 500: still served at once, the
    // refresh cooling down behind it.
    let calls = 0;
    const failing = await startFaultServer((_, __, res) => (++calls === 1 ? json(res, 200, { access_token: `valid-${randomUUID()}`, token_type: 'Bearer', expires_in: 80 }) : json(res, 500, { error: 'server_error' })));
    try {
      const stale = await createOAuthCredential(services, `${failing.url}/token`);
      const getStale = async () => {
        const result = await getAccessToken(services, { credentialId: stale.id, credentialVersion: 1, actor: { type: 'SYSTEM' }, policy: loopbackPolicy });
        if (!result.ok) throw new Error(result.error.message);
      };
      await getStale();
      const restoreClock = setClock(() => Date.now() + 41_000);
      try {
        await measure(`token_during_failing_refresh_${kind}`, 2_000, getStale);
        await flightsSettled();
      } finally {
        restoreClock();
      }
      process.stdout.write(`  (the failing provider saw ${calls - 1} refresh calls during those ${2_050} requests)\n`);
    } finally {
      await failing.close();
    }
  } finally {
    await server.close();
    await db.close();
  }
}

/**
 * The lifecycle jobs at scale. The expiry watch over 10,000 credentials with expiries spread over a
 * year (~8 % inside the 30-day lead time): the first scan raises their reminders, the next ones find
 * nothing new (the steady state, measured). The proactive refresh of 1,000 OAuth credentials whose
 * tokens are due, against a loopback token server that answers after 20 ms: wall time, the calls the
 * server counted, and the most it saw at once.
 */
async function lifecycle(kind: TestDatabaseKind) {
  const db = await openTestDatabase(kind);
  const HOLD_MS = 20;
  let calls = 0;
  let inFlight = 0;
  let peak = 0;
  const server = await startFaultServer((_, __, res) => {
    calls++;
    peak = Math.max(peak, ++inFlight);
    setTimeout(() => {
      inFlight--;
      json(res, 200, { access_token: `bench-${randomUUID()}`, token_type: 'Bearer', expires_in: 3600 });
    }, HOLD_MS);
  });
  try {
    await seedDemo(db.prisma, { demoPassword: randomBytes(12).toString('hex') });
    const services: Services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const entity = await db.prisma.legalEntity.findFirstOrThrow();
    await measure(`floor_tx_lifecycle_${kind}`, 500, () => db.prisma.$transaction([db.prisma.$queryRaw`SELECT 1`]));

    const CREDENTIALS = 10_000;
    const now = Date.now();
    for (let start = 0; start < CREDENTIALS; start += 1_000) {
      await db.prisma.credential.createMany({
        data: Array.from({ length: 1_000 }, (_, j) => ({
          organizationId: entity.organizationId,
          legalEntityId: entity.id,
          profile: 'api-key',
          environment: 'PRODUCTION' as const,
          label: `expiry bench ${start + j}`,
          status: 'ACTIVE' as const,
          expiresAt: new Date(now + (1 + ((start + j) % 365)) * 86_400_000),
          testEveryHours: null,
        })),
      });
    }
    const first = performance.now();
    const raised = await scanExpiry(services);
    process.stdout.write(`  expiry watch, first scan of ${CREDENTIALS}: ${(performance.now() - first).toFixed(0)} ms, ${raised.reminded} reminders raised\n`);
    await measure(`expiry_scan_10k_${kind}`, 20, () => scanExpiry(services));
    await db.prisma.credential.deleteMany({ where: { label: { startsWith: 'expiry bench' } } });

    const REFRESHES = 1_000;
    const ids: string[] = [];
    for (let i = 0; i < REFRESHES; i++) ids.push((await createOAuthCredential(services, `${server.url}/token`)).id);
    // Each holds a token that reaches its refresh point within the next minute.
    await db.prisma.tokenGrant.createMany({ data: ids.map((credentialId) => ({ credentialId, tokenType: 'Bearer', obtainedAt: new Date(now - 3_550_000), expiresAt: new Date(now + 50_000) })) });
    calls = 0;
    peak = 0;
    const started = performance.now();
    const done = await refreshDueTokens(services, { horizonMs: 60_000, policy: loopbackPolicy });
    const wall = performance.now() - started;
    results[`proactive_refresh_1k_${kind}`] = { ops: REFRESHES, wall_ms: Math.round(wall), calls, peak_concurrency: peak };
    process.stdout.write(
      `  proactive refresh of ${REFRESHES} (${kind}): ${wall.toFixed(0)} ms wall, ${done.refreshed} refreshed, ${done.failed} failed; token server counted ${calls} calls, at most ${peak} at once (answers held ${HOLD_MS} ms)\n`,
    );
  } finally {
    await server.close();
    await db.close();
  }
}

/** Connection counts of the HTTP measure: the first 200-connection burst hits a server warmed up at 10. */
const LEVELS = (process.env.BENCH_CONNECTIONS ?? '10,100,200').split(',').map(Number);

/**
 * The access-token API under load, through HTTP: production servers (`npm start`'s) for one OAuth
 * credential — one on the embedded database, three sharing PostgreSQL — warmed up for 3 s at 10
 * connections, then wrk at each of LEVELS connections for 10 s (spread over the instances). Reports
 * p50/p99 (of the worst instance), the slowest request, and how many were refused (503). Needs
 * `npm run build` first, and Debian's wrk.
 */
async function accessTokenApi(kind: TestDatabaseKind) {
  if (!existsSync('.next/BUILD_ID') || !hasWrk()) {
    process.stdout.write('access_token_api: skipped (needs `npm run build` and wrk)\n');
    return;
  }
  const SECONDS = 10;
  const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-bench-'));
  const kek = randomBytes(32);
  const server = await tokenServer();
  const db = kind === 'pglite' ? await openDatabase({ kind: 'pglite', dataDir }) : await openTestDatabase('postgres');
  const databaseUrl = 'url' in db && typeof db.url === 'string' ? db.url : '';
  if (kind === 'pglite') await applyMigrations(db.sql);
  await seedDemo(db.prisma, { demoPassword: randomBytes(12).toString('hex') });
  const services: Services = { prisma: db.prisma, keyring: makeKeyring(kek) };
  const credential = await createOAuthCredential(services, `${server.url}/token`);
  const account = await createServiceAccount(services, {
    actor: { type: 'SYSTEM' },
    organizationId: credential.organizationId,
    input: { name: 'bench', scopes: ['token:read'], legalEntityIds: [credential.legalEntityId] },
  });
  if (!account.ok) throw new Error(account.error.message);
  // The proxy (embedded database only): an API key credential whose provider answers on loopback.
  const provider = kind === 'pglite' ? await startFaultServer((_, __, res) => json(res, 200, { accepted: true })) : null;
  const proxied = provider && (await proxyCredential(services, provider.url, credential));
  // The floor of this run, on this database, before the servers take it.
  await measure(`floor_tx_api_${kind}`, 500, () => floorTransaction(db.prisma, credential.id));
  // The server must own the embedded database; PostgreSQL's test database is dropped at the end.
  if (kind === 'pglite') await db.close();

  const ports = kind === 'pglite' ? [3290] : [3290, 3291, 3292];
  // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const metricsToken = randomBytes(24).toString('hex');
  const authorization = `Bearer ${account.data.key}`;
  const urls = ports.map((port) => `http://127.0.0.1:${port}/api/v1/credentials/${credential.id}/access-token`);
  /** The servers, as production runs them (metrics on unless `metrics` is false), answering their first token. */
  const startApps = async ({ metrics = true } = {}) => {
    const started = ports.map((port) =>
      spawn(process.execPath, [...profile, 'scripts/serve.mjs'], {
        env: {
          ...process.env,
          PORT: String(port),
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          STRONGROOM_KEK: kek.toString('base64'),
          SEED_DEMO: 'false',
          OUTBOUND_ALLOW_LOOPBACK: 'true',
          LOG_LEVEL: 'warn',
          NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
          METRICS_TOKEN: metrics ? metricsToken : '',
        },
        stdio: 'ignore',
        detached: true,
      }),
    );
    for (const url of urls) {
      for (let i = 0; i < 100; i++) {
        const ready = await fetch(url, { headers: { authorization } }).then((r) => r.status === 200, () => false);
        if (ready) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return started;
  };
  const stopApps = (running: ReturnType<typeof spawn>[]) => Promise.all(running.map((app) => new Promise((resolve) => (app.once('exit', resolve), process.kill(-app.pid!, 'SIGTERM')))));
  let apps = await startApps();
  try {
    writeFileSync(WRK_SCRIPT_PATH, WRK_STATUS_SCRIPT);
    // The bare server, measured right before this database's levels and again after them: the
    // machine's speed moves between runs and within one, so each figure is held to both.
    const bareBefore = await httpFloor(`http_floor_before_${kind}`);
    // Warm-up: Next.js loads and compiles parts of the route on first use; that is not steady state.
    await Promise.all(urls.map((url) => wrk(url, authorization, 10, 3)));
    for (const connections of LEVELS) {
      const runs = await Promise.all(urls.map((url) => wrk(url, authorization, Math.ceil(connections / urls.length), SECONDS)));
      const measured: Measure = {
        p50_ms: Math.max(...runs.map((r) => r.p50_ms)),
        p99_ms: Math.max(...runs.map((r) => r.p99_ms)),
        max_ms: Math.max(...runs.map((r) => r.max_ms)),
        refused: runs.reduce((sum, r) => sum + r.refused, 0),
        ops: runs.reduce((sum, r) => sum + r.ops, 0),
        rps: runs.reduce((sum, r) => sum + r.rps, 0),
      };
      const name = `access_token_api_${kind}_c${connections}`;
      results[name] = measured;
      // Requests per floor-transaction time.
      const perFloor = (measured.rps! * (results[`floor_tx_api_${kind}`] as Measure).p50_ms) / 1000;
      process.stdout.write(
        `${name} (${urls.length} instance${urls.length > 1 ? 's' : ''}, ${SECONDS} s)  p50 ${measured.p50_ms} ms   p99 ${measured.p99_ms} ms   max ${measured.max_ms} ms   ${measured.rps} req/s   refused ${measured.refused}   ${perFloor.toFixed(2)} per floor\n`,
      );
    }
    const bareAfter = await httpFloor(`http_floor_after_${kind}`);
    // The share of the bare server's rate, against the bare server before and after.
    for (const connections of LEVELS) {
      const { rps } = results[`access_token_api_${kind}_c${connections}`] as Measure;
      const share = (bare: { rps: number }) => `${((100 * rps!) / bare.rps).toFixed(1)} %`;
      process.stdout.write(`access_token_api_${kind}_c${connections}: ${share(bareBefore)} of the bare server before, ${share(bareAfter)} after\n`);
    }
    if (provider && proxied) {
      // The same call to the provider: made directly, and through the proxy (key check, limits, audit,
      // forwarding). A fixed number of calls (warm-up and measure), under the proxy's limit of 1,200 a minute per credential.
      const proxyUrl = `http://127.0.0.1:${ports[0]}/api/v1/credentials/${proxied.credentialId}/proxy/v1/invoices`;
      const headers = { authorization: `Bearer ${proxied.key}` };
      await callsOf(proxyUrl, headers, 100, 10); // warm-up
      for (const [connections, calls] of [[1, 200], [10, 800]] as const) {
        const direct = await callsOf(`${provider.url}/v1/invoices`, {}, calls, connections);
        const through = await callsOf(proxyUrl, headers, calls, connections);
        results[`provider_direct_c${connections}`] = direct;
        results[`proxy_call_${kind}_c${connections}`] = through;
        process.stdout.write(
          `proxy_call_${kind}_c${connections} (${calls} calls)  p50 ${through.p50_ms} ms   p99 ${through.p99_ms} ms   ${through.rps} req/s  |  the provider directly: p50 ${direct.p50_ms} ms   p99 ${direct.p99_ms} ms   ${direct.rps} req/s\n`,
        );
      }
    }
    if (kind === 'pglite') {
      // Readiness under probing at 10 connections: answered from the cached probe, one real check a second.
      const base = `http://127.0.0.1:${ports[0]}`;
      const probes = async () => Number((await (await fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text()).match(/^strongroom_readiness_probes_total (\d+)/m)?.[1] ?? 0);
      const before = await probes();
      const ready = await wrk(`${base}/api/health/ready`, 'none', 10, 5);
      const checks = (await probes()) - before;
      const live = await wrk(`${base}/api/health/live`, 'none', 10, 5);
      results.readiness_c10 = ready;
      results.readiness_checks = checks;
      results.liveness_c10 = live;
      process.stdout.write(`readiness_c10 (5 s)  p50 ${ready.p50_ms} ms   p99 ${ready.p99_ms} ms   ${ready.rps} req/s   database checks ${checks}  |  liveness: p50 ${live.p50_ms} ms   ${live.rps} req/s\n`);
      // What metrics cost a token request: the same measure with and without them, twice each, in turn.
      for (const round of [1, 2]) {
        for (const metrics of [true, false]) {
          await stopApps(apps);
          apps = await startApps({ metrics });
          await wrk(urls[0]!, authorization, 10, 3);
          const measured = await wrk(urls[0]!, authorization, 10, SECONDS);
          const name = `access_token_api_${kind}_c10_metrics_${metrics ? 'on' : 'off'}_${round}`;
          results[name] = measured;
          process.stdout.write(`${name}  p50 ${measured.p50_ms} ms   p99 ${measured.p99_ms} ms   ${measured.rps} req/s\n`);
        }
      }
    }
  } finally {
    await provider?.close();
    await stopApps(apps);
    await server.close();
    if (kind !== 'pglite') {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await db.close();
    }
  }
}

/** An API key credential of `next to`'s entity calling `providerUrl`, and a key allowed to call through the proxy. */
async function proxyCredential(services: Services, providerUrl: string, nextTo: { organizationId: string; legalEntityId: string }) {
  const created = await createCredential(services, {
    actor: { type: 'SYSTEM' },
    organizationId: nextTo.organizationId,
    input: { legalEntityId: nextTo.legalEntityId, profile: 'api-key', environment: 'SANDBOX', label: 'bench proxy', values: { baseUrl: providerUrl, headerName: 'X-Api-Key', apiKey: randomBytes(24).toString('hex') } },
  });
  if (!created.ok) throw new Error(created.error.message);
  const account = await createServiceAccount(services, { actor: { type: 'SYSTEM' }, organizationId: nextTo.organizationId, input: { name: 'bench proxy', scopes: ['proxy:call'], legalEntityIds: [nextTo.legalEntityId] } });
  if (!account.ok) throw new Error(account.error.message);
  return { credentialId: created.data.id, key: account.data.key };
}

/**
 * Use without holding, in this process: signatures per key type (the key opened once, then from
 * memory), each next to OpenSSL's own signature with the same key (node:crypto sign, which hashes
 * first) as its floor; and a proxied call (checks, the credential applied, the answer streamed and
 * scrubbed) next to the same call made with fetch, against one loopback provider.
 */
async function withoutHolding() {
  const db = await openTestDatabase('pglite');
  const provider = await startFaultServer((_, __, res) => json(res, 200, { accepted: true }));
  try {
    await seedDemo(db.prisma, { demoPassword: randomBytes(12).toString('hex') });
    const services: Services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const entity = await db.prisma.legalEntity.findFirstOrThrow();
    const actor = { type: 'SYSTEM' as const };
    const digest = randomBytes(32);
    const kinds: { algorithm: TSignAlgorithm; certificate: Promise<{ certificate: string; privateKey: string }> }[] = [
      { algorithm: 'ES256', certificate: issueCertificate({ subject: 'CN=bench P-256' }) },
      { algorithm: 'ES256K', certificate: Promise.resolve(makeCertificate({ subject: '/CN=bench secp256k1' })) },
      { algorithm: 'RS256', certificate: issueCertificate({ subject: 'CN=bench RSA', algorithm: 'RSA' }) },
      { algorithm: 'PS256', certificate: issueCertificate({ subject: 'CN=bench RSA-PSS', algorithm: 'RSA' }) },
    ];
    for (const { algorithm, certificate } of kinds) {
      const { certificate: pem, privateKey } = await certificate;
      const created = await createCredential(services, {
        actor,
        organizationId: entity.organizationId,
        input: { legalEntityId: entity.id, profile: 'certificate', environment: 'SANDBOX', label: `bench ${algorithm}`, values: { certificate: pem, privateKey } },
      });
      if (!created.ok) throw new Error(created.error.message);
      const credential = { id: created.data.id, profile: 'certificate', version: created.data.version };
      const request = { algorithm, digest: digest.toString('base64') };
      await measure(`sign_${algorithm}`, 2_000, async () => {
        const signed = await signDigest(services, { actor, credential, request });
        if (!signed.ok) throw new Error(signed.error.message);
      });
      const key = createPrivateKey(privateKey);
      const options = algorithm === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key;
      await measure(`sign_floor_openssl_${algorithm}`, 2_000, () => sign('sha256', digest, options));
      const ours = (results[`sign_${algorithm}`] as Measure).p50_ms;
      process.stdout.write(`  ${algorithm}: ${Math.round(1000 / ours)} signatures/s on one core; OpenSSL with the same key ${Math.round(1000 / (results[`sign_floor_openssl_${algorithm}`] as Measure).p50_ms)}/s\n`);
    }

    const proxied = await proxyCredential(services, provider.url, { organizationId: entity.organizationId, legalEntityId: entity.id });
    const credential = { id: proxied.credentialId, profile: 'api-key', version: 1 };
    const request = () => ({ method: 'GET', path: '/v1/invoices', query: '', headers: new Headers({ accept: 'application/json' }), body: null });
    await measureInTurn(['provider_direct_fetch', 'proxy_call_in_process'], 2_000, [
      async () => (await fetch(`${provider.url}/v1/invoices`, { headers: { accept: 'application/json' } })).text(),
      async () => {
        const outcome = await proxyCall(services, { actor, credential, request: request(), policy: loopbackPolicy });
        if (!outcome.ok) throw new Error(outcome.refusal.message);
        await outcome.data.response.text();
      },
    ]);
  } finally {
    await provider.close();
    await db.close();
  }
}

/**
 * The dashboard as an administrator sees it, at 1,000 legal entities × 3 credentials (30 daily
 * connection tests each) on the embedded database, through the production server: the first page, a search, and a
 * health filter's last page. Time to the whole HTML, one request at a time.
 */
async function dashboardRender() {
  if (!existsSync('.next/BUILD_ID')) {
    process.stdout.write('dashboard: skipped (needs `npm run build`)\n');
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-bench-dashboard-'));
  const kek = randomBytes(32);
  const password = randomBytes(12).toString('hex');
  const db = await openDatabase({ kind: 'pglite', dataDir });
  await applyMigrations(db.sql);
  await seedDemo(db.prisma, { demoPassword: password });
  const organizationId = (await db.prisma.organization.findFirstOrThrow()).id;
  const ENTITIES = 1_000;
  await db.prisma.legalEntity.createMany({
    data: Array.from({ length: ENTITIES }, (_, i) => ({ organizationId, name: `Bench entity ${String(i).padStart(4, '0')}`, country: ['AE', 'SA', 'MY', 'PL', 'IT', 'DE'][i % 6]!, taxId: `BENCH${i}` })),
  });
  const entities = await db.prisma.legalEntity.findMany({ where: { organizationId, taxId: { startsWith: 'BENCH' } }, select: { id: true } });
  const profiles = [['uae-asp-api-key', 'SANDBOX'], ['myinvois-oauth', 'PRODUCTION'], ['webhook-secret', 'PRODUCTION']] as const;
  await db.prisma.credential.createMany({
    // Configured, as a running company's are (a draft's badge hides its test results).
    data: entities.flatMap((entity) => profiles.map(([profile, environment]) => ({ organizationId, legalEntityId: entity.id, profile, environment, label: profile, status: 'ACTIVE' as const, configuredAt: new Date() }))),
  });
  const credentials = await db.prisma.credential.findMany({ where: { organizationId }, select: { id: true } });
  // A month of daily tests each (90,000 rows); the newest one of every seventh credential failed.
  for (let day = 0; day < 30; day++) {
    await db.prisma.connectionTest.createMany({
      data: credentials.map((c, i) => ({ credentialId: c.id, startedAt: new Date(Date.now() - day * 86_400_000 - i * 1000), durationMs: 100, outcome: day === 0 && i % 7 === 0 ? 'FAILURE' : 'SUCCESS', trigger: 'SCHEDULER', credentialVersion: 1 })),
    });
  }
  // The floor, on this database.
  await measure('floor_tx_dashboard_db', 500, () => floorTransaction(db.prisma, credentials[0]!.id));
  await db.close();

  const port = 3293;
  const base = `http://127.0.0.1:${port}`;
  const app = spawn(process.execPath, ['scripts/serve.mjs'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', STRONGROOM_KEK: kek.toString('base64'), SEED_DEMO: 'false', LOG_LEVEL: 'warn', NEXTAUTH_URL: base, NEXTAUTH_SECRET: randomBytes(32).toString('base64') },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (let i = 0; i < 150 && !(await fetch(`${base}/api/health`).then((r) => r.ok, () => false)); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    // Sign in as the demo administrator through next-auth's own endpoints.
    const csrf = await fetch(`${base}/api/auth/csrf`);
    const cookies = csrf.headers.getSetCookie().map((c) => c.split(';')[0]);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const signIn = await fetch(`${base}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') },
      body: new URLSearchParams({ csrfToken, email: 'admin@demo.example', password, json: 'true' }),
    });
    const session = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c?.startsWith('next-auth.session-token='));
    if (!session) throw new Error(`sign-in failed: ${signIn.status}`);
    const page = async (path: string, expected: string) => {
      const response = await fetch(`${base}${path}`, { headers: { cookie: session } });
      const html = await response.text();
      if (response.status !== 200 || !html.includes(expected)) throw new Error(`${path}: ${response.status}, without "${expected}"`);
    };
    await measure('dashboard_1000x3_first_page', 200, () => page('/dashboard', '1,003 entities'));
    await measure('dashboard_1000x3_search', 200, () => page('/dashboard?q=entity+070', '10 entities'));
    const firstFailing = await (await fetch(`${base}/dashboard?health=FAILING`, { headers: { cookie: session } })).text();
    const lastPage = Number(/page 1 of (\d+)/.exec(firstFailing)?.[1] ?? 1);
    await measure('dashboard_1000x3_health_last_page', 100, () => page(`/dashboard?health=FAILING&page=${lastPage}`, 'Bench entity'));
  } finally {
    process.kill(-app.pid!, 'SIGTERM');
  }
}

/**
 * Backup and verified restore of 10,000 credentials (one sealed secret each) with 30 days of daily
 * connection tests (300,000 rows), on the embedded database: one backup, one restore into an empty
 * directory with its full verification, each timed once, next to the floor transaction of the same
 * database.
 */
async function backupRestore() {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-bench-backup-'));
  const keys = makeKeyring(randomBytes(32));
  const identity = await generateIdentity();
  const db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'source') });
  await applyMigrations(db.sql);
  await seedDemo(db.prisma, { demoPassword: randomBytes(12).toString('hex') });
  const organizationId = (await db.prisma.organization.findFirstOrThrow()).id;
  await db.prisma.legalEntity.createMany({ data: Array.from({ length: 1_000 }, (_, i) => ({ organizationId, name: `Backup entity ${i}`, country: 'AE', taxId: `BK${i}` })) });
  const entities = await db.prisma.legalEntity.findMany({ where: { organizationId, taxId: { startsWith: 'BK' } }, select: { id: true } });
  await db.prisma.credential.createMany({
    data: entities.flatMap((entity) => Array.from({ length: 10 }, (_, k) => ({ organizationId, legalEntityId: entity.id, profile: 'uae-asp-api-key', environment: 'SANDBOX' as const, label: `key ${k}`, status: 'ACTIVE' as const, configuredAt: new Date() }))),
  });
  const credentials = await db.prisma.credential.findMany({ where: { organizationId, label: { startsWith: 'key ' } }, select: { id: true } });
  for (let at = 0; at < credentials.length; at += 500) {
    await db.prisma.$transaction(async (tx) => {
      for (const c of credentials.slice(at, at + 500)) await writeNewSecrets(tx, keys, { organizationId, ownerTable: 'Credential', ownerId: c.id }, { apiKey: randomBytes(24).toString('base64url') });
    });
  }
  for (let day = 0; day < 30; day++) {
    await db.prisma.connectionTest.createMany({
      data: credentials.map((c, i) => ({ credentialId: c.id, startedAt: new Date(Date.now() - day * 86_400_000 - i * 1000), durationMs: 100, outcome: 'SUCCESS' as const, trigger: 'SCHEDULER' as const, credentialVersion: 1 })),
    });
  }
  await measure('floor_tx_backup_db', 500, () => floorTransaction(db.prisma, credentials[0]!.id));
  const file = join(dir, 'bench.age');
  let started = performance.now();
  const manifest = await writeBackup(db, { out: file, recipient: await identityToRecipient(identity) });
  results.backup_10k_ms = Math.round(performance.now() - started);
  await db.close();
  started = performance.now();
  const report = await restoreBackup({ file, identity, to: { kind: 'pglite', dataDir: join(dir, 'restored') }, keyring: keys });
  results.restore_verify_10k_ms = Math.round(performance.now() - started);
  if (!report.complete) throw new Error('the benchmark restore was not complete');
  results.backup_10k_rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
  results.backup_10k_bytes = statSync(file).size;
  process.stdout.write(
    `backup of ${results.backup_10k_rows} rows (${report.sealedValues.opened} sealed values): ${results.backup_10k_ms} ms, ${(Number(results.backup_10k_bytes) / 1e6).toFixed(1)} MB; restore + verify ${results.restore_verify_10k_ms} ms; floor p50 ${(results.floor_tx_backup_db as Measure).p50_ms} ms\n`,
  );
}

/** The floor of the HTTP measure: a bare Node HTTP server answering `{}`, under the same wrk at 10 connections. */
async function httpFloor(name: string) {
  const bare = spawn(process.execPath, ['-e', "require('node:http').createServer((_, res) => res.end('{}')).listen(3289, '127.0.0.1')"], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50 && !(await fetch('http://127.0.0.1:3289/').then(() => true, () => false)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const measured = await wrk('http://127.0.0.1:3289/', 'none', 10, 10);
    results[name] = measured;
    process.stdout.write(`${name} (bare Node server, 10 connections, 10 s)  p50 ${measured.p50_ms} ms   p99 ${measured.p99_ms} ms   max ${measured.max_ms} ms   ${measured.rps} req/s\n`);
    return measured;
  } finally {
    bare.kill();
  }
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 1; // wrk --version exits 1 after printing
  }
}

// Written once per run (wrk processes run side by side and read it as they start).
const WRK_SCRIPT_PATH = join(mkdtempSync(join(tmpdir(), 'strongroom-wrk-')), 'status.lua');

// Counts the answers by status across wrk's threads: 503 is a refusal (load shed), anything else but 200 an error.
const WRK_STATUS_SCRIPT = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init() refused = 0; failed = 0 end
function response(status) if status == 503 then refused = refused + 1 elseif status ~= 200 then failed = failed + 1 end end
function done()
  local r, f = 0, 0
  for _, t in ipairs(threads) do r = r + (t:get("refused") or 0); f = f + (t:get("failed") or 0) end
  io.write(string.format("refused %d failed %d\\n", r, f))
end`;

async function wrk(url: string, authorization: string, connections: number, seconds: number): Promise<Measure & { max_ms: number; refused: number; rps: number }> {
  // A 30 s timeout, so a stalled request is measured instead of counted as a socket timeout.
  const { stdout: out } = await execFileAsync('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '30s', '--latency', '-s', WRK_SCRIPT_PATH, '-H', `Authorization: ${authorization}`, url], { encoding: 'utf8' });
  const ms = (value: string | undefined, unit: string | undefined) => Math.round(Number(value) * (unit === 'us' ? 1 : unit === 's' ? 1e6 : unit === 'm' ? 6e7 : 1000)) / 1000;
  const at = (label: string) => {
    const [, value, unit] = out.match(new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s|m)`)) ?? [];
    return ms(value, unit);
  };
  const [, maxValue, maxUnit] = out.match(/Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/) ?? [];
  const [, refused, failed] = out.match(/refused (\d+) failed (\d+)/) ?? [];
  if (Number(failed) > 0 || /Socket errors/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  return { p50_ms: at('50'), p99_ms: at('99'), max_ms: ms(maxValue, maxUnit), refused: Number(refused), ops: Number(out.match(/(\d+) requests in/)?.[1]), rps: Math.round(Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1])) };
}

const execFileAsync = promisify(execFile);

/** `total` GETs of `url`, `concurrency` at a time over kept-alive connections; every answer must be 200. */
async function callsOf(url: string, headers: Record<string, string>, total: number, concurrency: number): Promise<Measure> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const call = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      httpGet(url, { agent, headers }, (response) => {
        response.resume();
        response.once('end', () => (response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${url} answered ${response.statusCode}`))));
      }).once('error', reject);
    });
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) times.push(await call());
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 100) / 100;
  return { p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1), ops: times.length, rps: Math.round(times.length / seconds) };
}

async function main() {
  process.env.LOG_LEVEL ??= 'silent';
  // BENCH_ONLY_API=1: just the HTTP measure (BENCH_CONNECTIONS: comma-separated connection counts, default 10,50,200).
  if (process.env.BENCH_ONLY_API) {
    await metricsCost();
    for (const kind of testDatabaseKinds()) await accessTokenApi(kind);
    return void process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  // BENCH_ONLY_LIFECYCLE=1: just the expiry watch and the proactive refresh.
  if (process.env.BENCH_ONLY_LIFECYCLE) {
    for (const kind of testDatabaseKinds()) await lifecycle(kind);
    return void process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  // BENCH_ONLY_STORE=1: just storing, replacing and opening secrets, with their floor.
  if (process.env.BENCH_ONLY_STORE) {
    for (const kind of testDatabaseKinds()) await store(kind);
    return void process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  // BENCH_ONLY_KEYS=1: just the key providers (unwrap cost; open-for-use cold and warm).
  if (process.env.BENCH_ONLY_KEYS) {
    for (const kind of testDatabaseKinds()) await keyProviders(kind);
    return void process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  // BENCH_ONLY_BACKUP=1: just backup and verified restore of 10,000 credentials.
  if (process.env.BENCH_ONLY_BACKUP) {
    await backupRestore();
    return void process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  // BENCH_ONLY_WITHOUT_HOLDING=1: just signatures and the proxy in process.
  if (process.env.BENCH_ONLY_WITHOUT_HOLDING) {
    await withoutHolding();
    return void process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  // BENCH_ONLY_DASHBOARD=1: just the dashboard at 1,000 entities.
  if (process.env.BENCH_ONLY_DASHBOARD) {
    await dashboardRender();
    return void process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  await cryptoOnly();
  await metricsCost();
  for (const kind of testDatabaseKinds()) await store(kind);
  for (const kind of testDatabaseKinds()) await keyProviders(kind);
  for (const kind of testDatabaseKinds()) await tokens(kind);
  for (const kind of testDatabaseKinds()) await lifecycle(kind);
  await withoutHolding();
  for (const kind of testDatabaseKinds()) await accessTokenApi(kind);
  await dashboardRender();
  await backupRestore();
  for (const kind of testDatabaseKinds()) {
    const ratio = (a: string, b: string) => ((results[a] as Measure).p50_ms / (results[b] as Measure).p50_ms).toFixed(2);
    process.stdout.write(
      `${kind}: open-for-use / floor = ${ratio(`open_for_use_${kind}`, `floor_tx_${kind}`)}× (p50); seed 004 / open-for-use = ${ratio(`seed004_scrypt_open_${kind}`, `open_for_use_${kind}`)}×\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
