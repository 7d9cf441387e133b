import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataKey, forgetDataKeys, unwrapDataKey } from '@/lib/server/crypto/data-keys';
import { envKek, KeyProviderError, type KeyEncryptionKey } from '@/lib/server/crypto/key-encryption-key';
import { makeKeyring, type Keyring } from '@/lib/server/crypto/keyring';
import { countStaleKeys } from '@/lib/server/crypto/rewrap-data-keys';
import { rotationProgress, runKeyRotation, startKeyRotation } from '@/lib/server/crypto/rotation-job';
import { readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { applyMigrations } from '@/lib/server/db/migrations';
import { openDatabase, type Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const admin = { type: 'USER' as const, id: randomUUID(), label: 'Ada Admin' };

/** A key whose provider stops answering after `wraps` wraps, as a KMS that goes away mid-rotation. */
function failingAfter(kek: KeyEncryptionKey, wraps: number): KeyEncryptionKey {
  let left = wraps;
  return {
    ...kek,
    wrap: async (plaintext, context) => {
      if (left-- <= 0) throw new KeyProviderError('the provider went away');
      return kek.wrap(plaintext, context);
    },
  };
}

describe.each(testDatabaseKinds())('rotation as a background job on %s', (kind) => {
  let db: Database;
  let organizationId: string;
  const old = randomBytes(32);
  const values = new Map<string, string>();
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    // Several organizations, so there are enough data keys for several batches.
    for (let o = 0; o < 4; o++) {
      const organization = await db.prisma.organization.create({ data: { name: `Rotating ${o}`, slug: `rot-${randomUUID().slice(0, 8)}` } });
      organizationId = organization.id;
      const ownerId = randomUUID();
      const value = `secret-${o}-${randomBytes(8).toString('hex')}`;
      await writeSecret(db.prisma, makeKeyring(old), { organizationId: organization.id, ownerTable: 'Credential', ownerId }, 'apiKey', value);
      values.set(`${organization.id}/${ownerId}`, value);
    }
  });
  afterAll(async () => db.close());

  const allOpen = async (keyring: Keyring) => {
    forgetDataKeys();
    for (const [owner, value] of values) {
      const [org, ownerId] = owner.split('/') as [string, string];
      expect((await readSecrets(db.prisma, keyring, { organizationId: org, ownerTable: 'Credential', ownerId }, ['apiKey'])).apiKey).toBe(value);
    }
  };

  it('refuses, saying why: nothing to rotate; the current key unusable', async () => {
    const services = { prisma: db.prisma, keyring: makeKeyring(old) };
    expect(await startKeyRotation(services, { actor: admin, organizationId })).toEqual({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringMatching(/^Every key is already wrapped under the current key [0-9a-f]{16} \(env\); there is nothing to rotate\.$/) } });
    const down: KeyEncryptionKey = { ...envKek(randomBytes(32)), provider: 'aws-kms', check: async () => Promise.reject(new KeyProviderError('AWS KMS did not answer within 5 s.')) };
    expect(await startKeyRotation({ prisma: db.prisma, keyring: makeKeyring(down, [old]) }, { actor: admin, organizationId })).toMatchObject({ ok: false, error: { code: 'KEYS_UNAVAILABLE', message: expect.stringMatching(/current key \(aws-kms\) cannot be used.*did not answer/) } });
    expect(await db.prisma.keyRotation.count()).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { action: 'keys.rotation_start', outcome: 'DENIED' } })).toBe(2);
  });

  it('runs once at a time, in batches, survives the provider going away mid-run, resumes and finishes; nothing rewrapped twice', async () => {
    const next = envKek(randomBytes(32));
    const keyring = makeKeyring(next, [old]);
    const total = await countStaleKeys(db.prisma, keyring);
    expect(total).toBeGreaterThanOrEqual(8); // DATA and FINGERPRINT keys of 4 organizations
    const started = await startKeyRotation({ prisma: db.prisma, keyring }, { actor: admin, organizationId });
    expect(started).toEqual({ ok: true, data: { id: expect.any(String), total } });
    // A second start, by anyone, is told about the first.
    expect(await startKeyRotation({ prisma: db.prisma, keyring }, { actor: { ...admin, label: 'Bob' }, organizationId })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringMatching(new RegExp(`^A rotation Ada Admin started at .* UTC is running \\(0 of ${total} keys\\); it goes on, and this one was not started\\.$`)) },
    });
    // An instance configured with another current key does nothing.
    await expect(runKeyRotation({ prisma: db.prisma, keyring: makeKeyring(randomBytes(32), [old]) })).rejects.toThrow(/not the rotation's .*: configure the same key on every instance/);
    expect(await countStaleKeys(db.prisma, keyring)).toBe(total);

    // The provider goes away after 3 wraps: the run stops with the reason, the rotation stays running.
    await expect(runKeyRotation({ prisma: db.prisma, keyring: makeKeyring(failingAfter(next, 3), [old]) }, { batchSize: 2 })).rejects.toThrow(KeyProviderError);
    const stopped = (await rotationProgress(db)).running!;
    expect(stopped).toMatchObject({ done: 2, total, lastError: 'the provider went away' });
    expect(await countStaleKeys(db.prisma, keyring)).toBe(total - 3);
    await allOpen(keyring); // half-way, everything opens

    expect(await runKeyRotation({ prisma: db.prisma, keyring }, { batchSize: 2 })).toBe(`${total} of ${total} keys under ${next.id}; finished`);
    const { running, last } = await rotationProgress(db);
    expect(running).toBeNull();
    expect(last).toMatchObject({ done: total, total, lastError: null, finishedAt: expect.any(Date) });
    await allOpen(makeKeyring(next));
    // Every key was rewrapped exactly once: the rewrap events add up to the keys there were.
    const rewraps = await db.prisma.auditEvent.findMany({ where: { action: 'keys.rewrap' }, select: { details: true } });
    const counted = rewraps.reduce((sum, event) => sum + (event.details as { dataKeys: number }).dataKeys + (event.details as { signingKeys: number }).signingKeys, 0);
    expect(counted).toBe(total);
    expect(await runKeyRotation({ prisma: db.prisma, keyring })).toBe('no rotation running');
    // A new one can start once the last has finished (and there is something to do).
    expect(await startKeyRotation({ prisma: db.prisma, keyring: makeKeyring(randomBytes(32), [next]) }, { actor: admin, organizationId })).toMatchObject({ ok: true });
  });
});

describe('a rotation killed with SIGKILL', () => {
  it('is resumed by the next run, and every key ends under the new key (embedded database on disk)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-rewrap-'));
    const oldKek = randomBytes(32);
    const newKek = randomBytes(32);
    let db = await openDatabase({ kind: 'pglite', dataDir });
    await applyMigrations(db.sql);
    const organizations = await Promise.all(Array.from({ length: 300 }, (_, i) => db.prisma.organization.create({ data: { name: `Org ${i}`, slug: `kill-${i}` } })));
    for (const organization of organizations) await createDataKey(db.prisma, makeKeyring(oldKek), organization.id, 'DATA', 1);
    await db.close();

    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', STRONGROOM_KEK: newKek.toString('base64'), STRONGROOM_KEK_PREVIOUS: oldKek.toString('base64'), LOG_LEVEL: 'silent' };
    const run = (killOnProgress: boolean) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
        // One process (tsx as a loader, not its CLI wrapper), so SIGKILL hits the process doing the work.
        const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'scripts/keys.ts', 'rotate'], { env });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (killOnProgress && /rewrapped [1-9]\d*\/300 keys/.test(output)) child.kill('SIGKILL');
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code, signal) => resolve({ code, signal, output }));
      });

    const killed = await run(true);
    expect(killed.signal, killed.output).toBe('SIGKILL');
    const finished = await run(false);
    expect(finished.code, finished.output).toBe(0);
    expect(finished.output).toMatch(/^Resuming the rotation npm run keys:rotate started \(\d+\/300 keys\)\./m);
    expect(finished.output).toMatch(/300 of 300 keys under [0-9a-f]{16}; finished/);

    db = await openDatabase({ kind: 'pglite', dataDir });
    try {
      forgetDataKeys();
      const keyring = makeKeyring(newKek); // the old key is no longer needed
      expect(await countStaleKeys(db.prisma, keyring)).toBe(0);
      for (const row of await db.prisma.dataKey.findMany()) expect((await unwrapDataKey(keyring, row)).length).toBe(32);
      expect(await db.prisma.keyRotation.findMany({ select: { running: true, done: true, total: true } })).toEqual([{ running: null, done: 300, total: 300 }]);
    } finally {
      await db.close();
    }
  }, 180_000);
});
