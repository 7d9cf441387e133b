// npm run bench: measures the crypto and the credential store on this machine. Prints a table, then
// one JSON line { "<measure>": { "p50_ms", "p99_ms", "ops" }, … } as the last line.
// Embedded PGlite always; PostgreSQL too when TEST_DATABASE_URL is set.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import type { Vault } from '@/lib/server/credentials/vault';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { openString, sealString } from '@/lib/server/crypto/sealed-format';
import { openTestDatabase, testDatabaseKinds, type TestDatabaseKind } from '@/lib/server/db/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';

interface Measure {
  p50_ms: number;
  p99_ms: number;
  ops: number;
}

const results: Record<string, Measure> = {};

async function measure(name: string, ops: number, run: (i: number) => unknown | Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(50, ops); i++) await run(-1 - i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ops; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(4));
  results[name] = { p50_ms: at(0.5), p99_ms: at(0.99), ops };
  process.stdout.write(`${name.padEnd(32)} p50 ${String(at(0.5)).padStart(9)} ms   p99 ${String(at(0.99)).padStart(9)} ms   (${ops} ops)\n`);
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
    const vault: Vault = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    const entity = await db.prisma.legalEntity.findFirstOrThrow();
    const actor = { type: 'SYSTEM' as const };
    const input = (i: number) => ({
      legalEntityId: entity.id,
      profile: 'api-key' as const,
      environment: 'SANDBOX' as const,
      label: `bench ${i} ${randomUUID()}`,
      values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: randomBytes(50).toString('hex') },
    });
    await measure(`store_${kind}`, 1_000, async (i) => {
      const result = await createCredential(vault, { actor, organizationId: entity.organizationId, input: input(i) });
      if (!result.ok) throw new Error(result.error.message);
    });
    const target = await createCredential(vault, { actor, organizationId: entity.organizationId, input: input(0) });
    if (!target.ok) throw new Error(target.error.message);
    await measure(`open_for_use_${kind}`, 2_000, async () => {
      const result = await openCredentialForUse(vault, { actor, credentialId: target.data.id, fields: ['apiKey'], purpose: 'bench' });
      if (!result.ok) throw new Error(result.error.message);
    });
    // The floor: one interactive transaction with a read, a row lock and an insert; no crypto.
    await measure(`floor_tx_${kind}`, 2_000, () =>
      db.prisma.$transaction(async (tx) => {
        await tx.credential.findUnique({ where: { id: target.data.id }, select: { id: true, version: true } });
        await tx.$queryRaw`SELECT id FROM "Credential" WHERE id = ${target.data.id}::uuid FOR UPDATE`;
        await tx.connectionTest.create({
          data: { credentialId: target.data.id, startedAt: new Date(), durationMs: 1, outcome: 'SUCCESS', trigger: 'SCHEDULER', credentialVersion: 1 },
        });
      }),
    );
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

async function main() {
  process.env.LOG_LEVEL ??= 'silent';
  await cryptoOnly();
  for (const kind of testDatabaseKinds()) await store(kind);
  for (const kind of testDatabaseKinds()) {
    const ratio = (a: string, b: string) => (results[a]!.p50_ms / results[b]!.p50_ms).toFixed(2);
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
