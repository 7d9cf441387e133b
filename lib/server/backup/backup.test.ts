import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestAdministration } from '@/lib/server/approvals/admin-standing';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { signAllChains } from '@/lib/server/audit/write-audit-checkpoint';
import { readBackup, writeBackup } from '@/lib/server/backup/backup-file';
import { restoreBackup } from '@/lib/server/backup/restore-backup';
import { scheduledBackup } from '@/lib/server/backup/scheduled-backup';
import { setClock } from '@/lib/server/clock';
import { parseEnv } from '@/lib/server/env';
import { serverJobs } from '@/lib/server/jobs/jobs';
import { defaultPolicy } from '@/lib/server/net/guarded-fetch';
import { stageSecrets } from '@/lib/server/credentials/secret-versions';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { demoOrganizationId, seedDemo } from '@/lib/server/seed/seed-demo';
import { seedDemoStates } from '@/lib/server/seed/seed-demo-states';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const kek = randomBytes(32);
const keyring = makeKeyring(kek);

describe('backup and restore', () => {
  let source: Database;
  let identity: string;
  let recipient: string;
  let dir: string;
  let backup: string;
  let organizationId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-backup-'));
    identity = await generateIdentity();
    recipient = await identityToRecipient(identity);
    source = await openTestDatabase('pglite');
    const services = { prisma: source.prisma, keyring };
    await seedDemo(source.prisma, { demoPassword: 'backup-demo-password' });
    organizationId = (await demoOrganizationId(source.prisma))!;
    await seedDemoStates(services, { organizationId });
    // A pending version of one credential's secrets, and a change request with sealed values.
    const credential = await source.prisma.credential.findFirstOrThrow({ where: { organizationId }, select: { id: true, organizationId: true } });
    await source.prisma.$transaction((tx) => stageSecrets(tx, keyring, { credential, secrets: { clientSecret: 'pending-secret-value' }, attribution: { at: new Date(), setBy: 'admin@demo.example' } }));
    const admin = await source.prisma.user.findFirstOrThrow({ where: { email: 'admin@demo.example' } });
    const actor = { type: 'USER' as const, id: admin.id, label: admin.email };
    expect(
      await requestAdministration(services, { actor, organizationId, kind: 'SSO_CONNECTION', subject: 'Single sign-on', payload: { settings: {} }, target: 'Sign in through a provider', action: 'sso.configure', secrets: { clientSecret: 'requested-secret' } }),
    ).toMatchObject({ ok: true });
    await signAllChains(services);
    backup = join(dir, 'demo.age');
    // Requests go on while the backup is taken: it holds one moment, whatever they add.
    const traffic = Promise.all(Array.from({ length: 30 }, (_, i) => recordAuditEvent(source.prisma, { actor, action: 'credential.open', organizationId, outcome: 'SUCCESS', details: { i: String(i) } })));
    await Promise.all([writeBackup(source, { out: backup, recipient }), traffic]);
  });
  afterAll(async () => source.close());

  it('holds a manifest of the moment: schema, rows per table, audit heads, newest checkpoint, the KEKs its keys are wrapped with', async () => {
    const { manifest, tables } = await readBackup(backup, identity);
    expect(manifest).toMatchObject({ format: 'strongroom-backup/1', database: 'pglite', kekIds: [keyring.current.id] });
    expect(manifest.schemaVersion).toMatch(/^\d{14}_/);
    expect(manifest.tables.Credential).toBeGreaterThan(5);
    expect(tables.find((t) => t.table === 'SecretVersion')!.rows.some((row) => row.includes('"state":"PENDING"'))).toBe(true);
    expect(manifest.tables.ChangeRequest).toBe(1);
    expect(manifest.tables).not.toHaveProperty('Session');
    expect(manifest.newestCheckpoint).toMatchObject({ chain: expect.any(String), keyId: expect.any(String) });
    expect(tables.map((t) => t.table)).toEqual(Object.keys(manifest.tables));
    // Nothing in it is readable without the backup identity; no sealed value is ever in clear.
    const raw = readFileSync(backup);
    expect(raw.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(raw.includes(Buffer.from('pending-secret-value'))).toBe(false);
    expect(tables.flatMap((t) => t.rows).join('\n')).not.toContain('pending-secret-value');
  });

  it.each(testDatabaseKinds())('restores into an empty %s database and proves it: every row, every audit chain up to its head, every sealed value opens', async (kind) => {
    const target = kind === 'pglite' ? null : await openTestDatabase('postgres', { migrate: false });
    try {
      const to = target ? { kind: 'postgres' as const, url: target.url! } : { kind: 'pglite' as const, dataDir: join(dir, `restored-${randomUUID()}`) };
      const report = await restoreBackup({ file: backup, identity, to, keyring });
      expect(report.complete).toBe(true);
      for (const [table, { expected, restored }] of Object.entries(report.tables)) expect([table, restored]).toEqual([table, expected]);
      expect(report.auditChains.failed).toEqual([]);
      expect(report.auditChains.verified).toBe(Object.keys(report.manifest.auditHeads).length);
      expect(report.sealedValues.opened).toBe(report.manifest.tables.SealedSecret);
    } finally {
      await target?.close();
    }
  });

  it('names what does not open when the keys are not the ones the data was sealed with, and calls the restore incomplete', async () => {
    const report = await restoreBackup({ file: backup, identity, to: { kind: 'pglite', dataDir: join(dir, `other-keys-${randomUUID()}`) }, keyring: makeKeyring(randomBytes(32)) });
    expect(report.complete).toBe(false);
    expect(report.sealedValues.opened).toBe(0);
    expect(report.sealedValues.failed[0]).toMatchObject({ ownerTable: expect.any(String), ownerId: expect.any(String), field: expect.any(String), reason: expect.stringMatching(/wrapped under key [0-9a-f]+, which is not configured/) });
  });

  it('refuses a flipped byte, a cut file, another backup key, a manifest that disagrees, a newer schema and a target that is not empty; each leaves the target as it was', async () => {
    const raw = readFileSync(backup);
    const flipped = join(dir, 'flipped.age');
    const copy = Buffer.from(raw);
    copy[copy.length - 100]! ^= 0x01;
    writeFileSync(flipped, copy);
    const cut = join(dir, 'cut.age');
    writeFileSync(cut, raw.subarray(0, Math.floor(raw.length * 0.6)));
    // Same content, re-encrypted with a manifest that says otherwise.
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    const text = await decrypter.decrypt(raw, 'text');
    const [first, ...rest] = text.split('\n');
    const reseal = async (manifest: Record<string, unknown>, name: string) => {
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipient);
      writeFileSync(join(dir, name), await encrypter.encrypt([JSON.stringify(manifest), ...rest].join('\n')));
      return join(dir, name);
    };
    const manifest = JSON.parse(first!) as { tables: Record<string, number>; schemaVersion: string };
    const miscounted = await reseal({ ...manifest, tables: { ...manifest.tables, Credential: manifest.tables.Credential! + 1 } }, 'miscounted.age');
    const newer = await reseal({ ...manifest, schemaVersion: '29991231000000_from_the_future' }, 'newer.age');
    // A crafted backup that slips rows into the migrations' bookkeeping.
    const sneaky = join(dir, 'sneaky.age');
    {
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipient);
      const body = rest.filter((line) => line !== '#end' && line !== '');
      writeFileSync(sneaky, await encrypter.encrypt([JSON.stringify({ ...manifest, tables: { ...manifest.tables, _prisma_migrations: 1 } }), ...body, '#table _prisma_migrations', '{"id":"x"}', '#end'].join('\n')));
    }

    const to = join(dir, `refused-${randomUUID()}`);
    const restore = (file: string, key = identity, target = to) => restoreBackup({ file, identity: key, to: { kind: 'pglite', dataDir: target }, keyring });
    await expect(restore(flipped)).rejects.toThrow(/damaged or cut short/);
    await expect(restore(cut)).rejects.toThrow(/damaged or cut short/);
    await expect(restore(backup, await generateIdentity())).rejects.toThrow(/not made for this backup key/);
    await expect(restore(miscounted)).rejects.toThrow(/holds \d+ rows of Credential, the manifest says \d+/);
    await expect(restore(newer)).rejects.toThrow(/newer Strongroom \(schema 29991231000000_from_the_future/);
    await expect(restore(sneaky)).rejects.toThrow(/names tables .* does not hold \(_prisma_migrations\)/);
    await expect(restore(join(dir, 'missing.age'))).rejects.toThrow(/no such backup file/);
    expect(() => readFileSync(join(to, 'pglite', 'PG_VERSION'))).toThrow(); // nothing was made

    const occupied = join(dir, `occupied-${randomUUID()}`);
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'keep.txt'), 'live data');
    await expect(restore(backup, identity, occupied)).rejects.toThrow(/is not empty/);
    expect(readFileSync(join(occupied, 'keep.txt'), 'utf8')).toBe('live data');
    // A database with tables is not a restore target either (PostgreSQL; PGlite's is its directory).
    if (process.env.TEST_DATABASE_URL) {
      const live = await openTestDatabase('postgres');
      try {
        await expect(restoreBackup({ file: backup, identity, to: { kind: 'postgres', url: live.url! }, keyring })).rejects.toThrow(/target database is not empty/);
        expect(await live.prisma.credential.count()).toBe(0);
      } finally {
        await live.close();
      }
    }
    // And a backup never overwrites another.
    await expect(writeBackup(source, { out: backup, recipient })).rejects.toThrow(/exists already/);
  });

  it('the scheduled job writes a file named by its time, keeps the newest N, and clears what a killed run left', async () => {
    const into = join(dir, `scheduled-${randomUUID()}`);
    mkdirSync(into);
    writeFileSync(join(into, 'strongroom-20261201T000000000Z.age.partial-dead'), 'half a backup');
    let at = Date.parse('2026-12-05T01:00:00Z');
    const restoreClock = setClock(() => at);
    try {
      for (let run = 0; run < 3; run++, at += 24 * 3_600_000) expect(await scheduledBackup(source, { dir: into, recipient, keep: 2 })).toMatch(/^strongroom-2026120\dT010000000Z\.age: \d+ rows; [12] kept/);
    } finally {
      restoreClock();
    }
    expect(readdirSync(into).sort()).toEqual(['strongroom-20261206T010000000Z.age', 'strongroom-20261207T010000000Z.age']);
    expect((await readBackup(join(into, 'strongroom-20261207T010000000Z.age'), identity)).manifest.format).toBe('strongroom-backup/1');
    const jobs = serverJobs({ ...parseEnv({}), BACKUP_DIR: into, BACKUP_RECIPIENT: recipient }, { mailer: null, policy: defaultPolicy(), baseUrl: 'http://localhost', database: async () => source });
    expect(jobs.find((job) => job.name === 'backup')).toMatchObject({ intervalMs: 24 * 3_600_000 });
    expect(serverJobs(parseEnv({}), { mailer: null, policy: defaultPolicy(), baseUrl: 'http://localhost', database: async () => source }).map((job) => job.name)).not.toContain('backup');
  });

  it('a failed scheduled backup tells every organization’s administrators, once a day, and the job fails', async () => {
    const blocked = join(dir, `blocked-${randomUUID()}`);
    writeFileSync(blocked, 'a file where the directory should be');
    const job = serverJobs({ ...parseEnv({}), BACKUP_DIR: blocked, BACKUP_RECIPIENT: recipient }, { mailer: null, policy: defaultPolicy(), baseUrl: 'http://localhost', database: async () => source }).find((j) => j.name === 'backup')!;
    await expect(job.run({ prisma: source.prisma, keyring })).rejects.toThrow(/EEXIST|ENOTDIR/);
    await expect(job.run({ prisma: source.prisma, keyring })).rejects.toThrow();
    const notifications = await source.prisma.notification.findMany({ where: { event: 'backup.failed' }, select: { organizationId: true, data: true, deliveries: { select: { channel: true, recipient: true } } } });
    expect(notifications).toHaveLength(await source.prisma.organization.count()); // once a day each, not once per run
    const demo = notifications.find((n) => n.organizationId === organizationId)!;
    expect(demo.data).toMatchObject({ backupDir: blocked, error: expect.stringMatching(/EEXIST|ENOTDIR/) });
    expect(demo.deliveries.map((d) => d.recipient).sort()).toEqual(['admin@demo.example', 'approver@demo.example']);
  });
});
