import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetDataKeys } from '@/lib/server/crypto/data-keys';
import { keyStatus } from '@/lib/server/crypto/key-status';
import { makeKeyring, type Keyring } from '@/lib/server/crypto/keyring';
import { resealOrganization } from '@/lib/server/crypto/reseal-organization';
import { rewrapDataKeys } from '@/lib/server/crypto/rewrap-data-keys';
import { readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { applyMigrations } from '@/lib/server/db/migrations';
import { openDatabase, type Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

async function fill(db: Database, keyring: Keyring, count: number) {
  const organization = await db.prisma.organization.create({ data: { name: 'Rotating', slug: `rot-${randomUUID().slice(0, 8)}` } });
  const values = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const ownerId = randomUUID();
    const value = `secret-${i}-${randomBytes(8).toString('hex')}`;
    await writeSecret(db.prisma, keyring, { organizationId: organization.id, ownerTable: 'Credential', ownerId }, 'apiKey', value);
    values.set(ownerId, value);
  }
  return { organizationId: organization.id, values };
}

async function expectAllOpen(db: Database, keyring: Keyring, organizationId: string, values: Map<string, string>) {
  forgetDataKeys();
  for (const [ownerId, value] of values) {
    const opened = await readSecrets(db.prisma, keyring, { organizationId, ownerTable: 'Credential', ownerId }, ['apiKey']);
    expect(opened.apiKey).toBe(value);
  }
}

describe.each(testDatabaseKinds())('key rotation on %s', (kind) => {
  let db: Database;
  afterEach(async () => {
    forgetDataKeys();
    await db.close();
  });

  it('rewraps data keys under a new KEK, after which the old KEK can be retired', async () => {
    db = await openTestDatabase(kind);
    const oldKek = randomBytes(32);
    const { organizationId, values } = await fill(db, makeKeyring(oldKek), 5);
    const rotated = makeKeyring(randomBytes(32), [oldKek]);
    expect(await rewrapDataKeys(db.prisma, rotated)).toBe(2); // the DATA key and the FINGERPRINT key
    expect(await rewrapDataKeys(db.prisma, rotated)).toBe(0);
    const status = await keyStatus(db.prisma, rotated);
    expect(status.keyEncryptionKeys.map((k) => [k.provider, k.current, k.dataKeys])).toEqual([
      ['env', true, 2],
      ['env', false, 0],
    ]);
    await expectAllOpen(db, makeKeyring(rotated.current.bytes!), organizationId, values);
  });

  it('reseals every value under a new data key and destroys the old one', async () => {
    db = await openTestDatabase(kind);
    const keyring = makeKeyring(randomBytes(32));
    const { organizationId, values } = await fill(db, keyring, 7);
    const before = await db.prisma.sealedSecret.findMany({ select: { sealed: true, fingerprint: true }, orderBy: { ownerId: 'asc' } });
    const result = await resealOrganization(db.prisma, keyring, { organizationId, batchSize: 3 });
    expect(result).toEqual({ version: 2, resealed: 7, resumed: false, unreadable: [] });
    const after = await db.prisma.sealedSecret.findMany({ select: { sealed: true, fingerprint: true }, orderBy: { ownerId: 'asc' } });
    expect(after.map((r) => r.fingerprint)).toEqual(before.map((r) => r.fingerprint));
    expect(after.every((r, i) => r.sealed !== before[i]!.sealed)).toBe(true);
    expect(await db.prisma.dataKey.findMany({ where: { purpose: 'DATA' }, select: { version: true } })).toEqual([{ version: 2 }]);
    await expectAllOpen(db, keyring, organizationId, values);
  });
});

describe('key rotation killed with SIGKILL', () => {
  it('resumes where it stopped and loses nothing (embedded database on disk)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-rotate-'));
    const oldKek = randomBytes(32);
    const newKek = randomBytes(32);
    let db = await openDatabase({ kind: 'pglite', dataDir });
    await applyMigrations(db.sql);
    const { organizationId, values } = await fill(db, makeKeyring(oldKek), 1500);
    await db.close();

    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', STRONGROOM_KEK: newKek.toString('base64'), STRONGROOM_KEK_PREVIOUS: oldKek.toString('base64'), LOG_LEVEL: 'silent' };
    const run = (killOnProgress: boolean) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
        // One process (tsx as a loader, not its CLI wrapper), so SIGKILL hits the process doing the work.
        const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'scripts/keys.ts', 'rotate', '--reseal', '--batch-size', '10'], { env });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (killOnProgress && /resealed [1-9]\d*\/1500/.test(output)) child.kill('SIGKILL');
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code, signal) => resolve({ code, signal, output }));
      });

    const killed = await run(true);
    expect(killed.signal).toBe('SIGKILL');
    const finished = await run(false);
    expect(finished.code, finished.output).toBe(0);
    expect(finished.output).toMatch(/\(resumed\)/);

    db = await openDatabase({ kind: 'pglite', dataDir });
    try {
      // Only the new KEK: the old one can be retired.
      await expectAllOpen(db, makeKeyring(newKek), organizationId, values);
      expect(await db.prisma.dataKey.findMany({ where: { purpose: 'DATA' }, select: { version: true } })).toEqual([{ version: 2 }]);
    } finally {
      await db.close();
    }
  }, 180_000);
});
