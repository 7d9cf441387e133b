import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import { openDatabase } from '@/lib/server/db/open-database';

// `npm run setup` as an installer runs it: a process of its own on an embedded database directory.
describe('npm run setup', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-setup-'));
  const kek = randomBytes(32);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = (args: string[], { password, stdin }: { password?: string; stdin?: string } = {}) =>
    spawnSync('npx', ['tsx', '--conditions=react-server', 'scripts/setup.ts', ...args], {
      encoding: 'utf8',
      input: stdin ?? '',
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        STRONGROOM_KEK: kek.toString('base64'),
        SETUP_ADMIN_PASSWORD: password ?? '',
        LOG_LEVEL: 'silent',
      },
    });
  const who = ['--organization', 'Acme Group', '--name', 'Ada Admin', '--email', 'Ada@Acme.example'];

  it('refuses a password on the command line, and a weak one, creating nothing', () => {
    const argv = run([...who, '--password', 'a long enough passphrase']);
    expect([argv.status, argv.stderr]).toEqual([2, expect.stringContaining('not taken from the command line')]);
    const weak = run(who, { stdin: 'short\n' });
    expect([weak.status, weak.stderr]).toEqual([2, expect.stringContaining('password: At least 12 characters')]);
  });

  it('creates the organization and administrator with two-factor on, printing the key and recovery codes once; then refuses', async () => {
    const first = run(who, { stdin: 'a long enough passphrase\n' });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const uri = /otpauth:\/\/totp\/\S+/.exec(first.stdout)![0];
    const secret = new URL(uri).searchParams.get('secret')!;
    const codes = first.stdout.match(/^ {2}[a-z2-7]{5}-[a-z2-7]{5}$/gm) ?? [];
    expect(codes).toHaveLength(10);

    const again = run(who, { password: 'another long passphrase' });
    expect([again.status, again.stderr]).toEqual([1, expect.stringContaining('already set up')]);

    const db = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: 'ada@acme.example' }, include: { organization: true, recoveryCodes: true } });
      expect([admin.role, admin.organization.name, admin.recoveryCodes.length, admin.totpEnabledAt !== null]).toEqual(['ADMIN', 'Acme Group', 10, true]);
      // The printed key is the sealed one: a code from it is the code the server expects.
      const stored = (await readSecrets(db.prisma, makeKeyring(kek), { organizationId: admin.organizationId, ownerTable: 'User', ownerId: admin.id }, ['totpSecret'])).totpSecret;
      expect(await generate({ secret: stored! })).toBe(await generate({ secret }));
      expect(await db.prisma.auditEvent.count({ where: { action: 'setup.completed', organizationId: admin.organizationId } })).toBe(1);
    } finally {
      await db.close();
    }
  }, 60_000);
});
