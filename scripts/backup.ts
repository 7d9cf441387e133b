// npm run backup -- --out FILE | restore -- --in FILE --to DIR|postgres://… | backup:verify -- FILE | backup:keygen
// Backups from the command line. The backup identity (the key that opens backups) comes from
// BACKUP_IDENTITY or BACKUP_IDENTITY_FILE, never from the command line (shell history, process lists);
// backups are written to BACKUP_RECIPIENT, its public half. With the embedded database, `backup`
// needs the server stopped (it holds the database): a running server backs itself up on schedule
// (BACKUP_DIR, Admin → Scheduler, where "Run now" makes one at once).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { writeBackup } from '@/lib/server/backup/backup-file';
import { restoreBackup, type RestoreReport } from '@/lib/server/backup/restore-backup';
import { keyring } from '@/lib/server/crypto/keyring';
import { databaseLocation, openDatabase, type DatabaseLocation } from '@/lib/server/db/open-database';

const [command, ...rest] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);

function backupIdentity(): string {
  if (process.env.BACKUP_IDENTITY) return process.env.BACKUP_IDENTITY.trim();
  if (process.env.BACKUP_IDENTITY_FILE) return readFileSync(process.env.BACKUP_IDENTITY_FILE, 'utf8').split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-'))?.trim() ?? '';
  throw new Error('set BACKUP_IDENTITY_FILE (a file holding the backup identity, AGE-SECRET-KEY-1…) or BACKUP_IDENTITY');
}

function options(allowed: Record<string, { type: 'string' }>) {
  if (rest.some((arg) => /^--(identity|key|backup-key|secret)/.test(arg) || arg.startsWith('AGE-SECRET-KEY-'))) {
    throw new Error('a backup key is never taken from the command line (it would stay in shell history and process lists): use BACKUP_IDENTITY_FILE');
  }
  return parseArgs({ args: rest, options: allowed, allowPositionals: true });
}

function target(to: string): DatabaseLocation {
  return /^postgres(ql)?:\/\//.test(to) ? { kind: 'postgres', url: to } : { kind: 'pglite', dataDir: to };
}

function show(report: RestoreReport) {
  const { manifest } = report;
  say(`Backup of ${manifest.createdAt} (${manifest.database}, schema ${manifest.schemaVersion}); keys it needs: ${manifest.kekIds.join(', ') || 'none'}.`);
  const short = Object.entries(report.tables).filter(([, t]) => t.expected !== t.restored);
  const rows = Object.values(report.tables).reduce((sum, t) => sum + t.restored, 0);
  say(`Rows: ${rows} in ${Object.keys(report.tables).length} tables${short.length ? `; MISSING in ${short.map(([name, t]) => `${name} (${t.restored} of ${t.expected})`).join(', ')}` : ', as the manifest counts'}.`);
  say(`Audit chains: ${report.auditChains.verified} verified up to the backup's heads${report.auditChains.failed.length ? `; FAILED: ${report.auditChains.failed.join('; ')}` : ''}.`);
  say(`Sealed values: ${report.sealedValues.opened} open with the configured keys${report.sealedValues.failed.length ? `; ${report.sealedValues.failed.length} do NOT:` : '.'}`);
  for (const failure of report.sealedValues.failed) say(`  ${failure.ownerTable} ${failure.ownerId}, field ${failure.field}: ${failure.reason}`);
  say(report.complete ? 'Complete: this backup restores whole.' : 'INCOMPLETE: see above.');
}

async function main(): Promise<number> {
  if (command === 'keygen') {
    const identity = await generateIdentity();
    say('# Strongroom backup identity: keep it apart from the backups and from the KEK (a password manager, a safe).');
    say(`# Public half, for BACKUP_RECIPIENT: ${await identityToRecipient(identity)}`);
    say(identity);
    return 0;
  }
  if (command === 'backup') {
    const { values } = options({ out: { type: 'string' } });
    if (!values.out) throw new Error('usage: npm run backup -- --out FILE');
    const recipient = process.env.BACKUP_RECIPIENT;
    if (!recipient) throw new Error('set BACKUP_RECIPIENT (age1…; `npm run backup:keygen` makes a backup key)');
    const db = await openDatabase(databaseLocation());
    try {
      const manifest = await writeBackup(db, { out: values.out, recipient });
      say(`Wrote ${values.out}: ${Object.values(manifest.tables).reduce((a, b) => a + b, 0)} rows, schema ${manifest.schemaVersion}, keys ${manifest.kekIds.join(', ') || 'none (nothing sealed yet)'}.`);
    } finally {
      await db.close();
    }
    return 0;
  }
  if (command === 'restore') {
    const { values } = options({ in: { type: 'string' }, to: { type: 'string' } });
    if (!values.in || !values.to) throw new Error('usage: npm run restore -- --in FILE --to DATA_DIR|postgres://…');
    const report = await restoreBackup({ file: values.in, identity: backupIdentity(), to: target(values.to), keyring: keyring() });
    show(report);
    return report.complete ? 0 : 3;
  }
  if (command === 'verify') {
    const { positionals } = options({});
    if (!positionals[0]) throw new Error('usage: npm run backup:verify -- FILE');
    // The restore drill: into a scratch directory, checked, then deleted.
    const scratch = await mkdtemp(join(tmpdir(), 'strongroom-drill-'));
    try {
      const report = await restoreBackup({ file: positionals[0], identity: backupIdentity(), to: { kind: 'pglite', dataDir: join(scratch, 'data') }, keyring: keyring() });
      show(report);
      return report.complete ? 0 : 3;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  throw new Error('usage: backup.ts keygen | backup --out FILE | restore --in FILE --to DIR|URL | verify FILE');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${command ?? 'backup'} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
