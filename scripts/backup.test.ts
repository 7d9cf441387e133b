import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/lib/server/db/migrations';
import { openDatabase } from '@/lib/server/db/open-database';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { demoOrganizationId, seedDemo } from '@/lib/server/seed/seed-demo';
import { seedDemoStates } from '@/lib/server/seed/seed-demo-states';

// The backup commands as an operator runs them: processes of their own on an embedded database.
describe('npm run backup / restore / backup:verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-backup-cli-'));
  const kek = randomBytes(32).toString('base64');
  let identityFile: string;
  let recipient: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    const identity = await generateIdentity();
    recipient = await identityToRecipient(identity);
    identityFile = join(dir, 'backup-key.txt');
    writeFileSync(identityFile, `${identity}\n`, { mode: 0o600 });
    const db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'data') });
    await applyMigrations(db.sql);
    await seedDemo(db.prisma, { demoPassword: 'cli-demo-password' });
    await seedDemoStates({ prisma: db.prisma, keyring: makeKeyring(Buffer.from(kek, 'base64')) }, { organizationId: (await demoOrganizationId(db.prisma))! });
    await db.close();
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('npx', ['tsx', '--conditions=react-server', 'scripts/backup.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: join(dir, 'data'), DATABASE_URL: '', STRONGROOM_KEK: kek, LOG_LEVEL: 'silent', BACKUP_IDENTITY: '', BACKUP_IDENTITY_FILE: '', ...env },
    });

  it('backs up, then restores into a new directory and drills, saying what it checked', () => {
    const out = join(dir, 'one.age');
    const backup = run(['backup', '--out', out], { BACKUP_RECIPIENT: recipient });
    expect([backup.status, backup.stdout]).toEqual([0, expect.stringMatching(/^Wrote .*one\.age: \d+ rows, schema \d{14}_\w+, keys [0-9a-f]{16}\./)]);
    const restore = run(['restore', '--in', out, '--to', join(dir, 'restored')], { BACKUP_IDENTITY_FILE: identityFile });
    expect([restore.status, restore.stdout]).toEqual([0, expect.stringContaining('Complete: this backup restores whole.')]);
    const drill = run(['verify', out], { BACKUP_IDENTITY_FILE: identityFile, STRONGROOM_KEK: randomBytes(32).toString('base64') });
    // Another KEK: the drill names what does not open and exits 3.
    expect([drill.status, drill.stdout]).toEqual([3, expect.stringContaining('INCOMPLETE')]);
  }, 180_000); // three processes, each starting tsx: slow on a busy machine

  it('refuses a backup key on the command line, a missing identity, and an existing target', () => {
    const argv = run(['restore', '--in', join(dir, 'one.age'), '--to', join(dir, 'x'), '--identity', 'AGE-SECRET-KEY-1QQQ']);
    expect([argv.status, argv.stderr]).toEqual([1, expect.stringContaining('never taken from the command line')]);
    const none = run(['verify', join(dir, 'one.age')]);
    expect([none.status, none.stderr]).toEqual([1, expect.stringContaining('set BACKUP_IDENTITY_FILE')]);
    const again = run(['restore', '--in', join(dir, 'one.age'), '--to', join(dir, 'restored')], { BACKUP_IDENTITY_FILE: identityFile });
    expect([again.status, again.stderr]).toEqual([1, expect.stringContaining('is not empty')]);
  }, 120_000);
});
