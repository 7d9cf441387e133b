import 'server-only';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { verifyAllAuditChains } from '@/lib/server/audit/verify-audit-chain';
import { BackupError, isEmptyDatabase, readBackup, TRANSIENT_TABLES, type BackupManifest, type BackupTable } from '@/lib/server/backup/backup-file';
import { trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import { forgetDataKeys } from '@/lib/server/crypto/data-keys';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { openSealedRows, SecretIntegrityError } from '@/lib/server/crypto/sealed-secrets';
import { applyMigrations, readMigrations } from '@/lib/server/db/migrations';
import { openDatabase, type Database, type DatabaseLocation, type SqlRunner } from '@/lib/server/db/open-database';

/** What a restore (or a drill) found: every check, as counts, and what did not open, by name. */
export interface RestoreReport {
  manifest: BackupManifest;
  tables: Record<string, { expected: number; restored: number }>;
  auditChains: { verified: number; failed: string[] };
  sealedValues: { opened: number; failed: { ownerTable: string; ownerId: string; field: string; reason: string }[] };
  /** Every row there, every chain whole up to the backup's heads, every value opens. */
  complete: boolean;
}

const quote = (table: string) => `"${table.replaceAll('"', '""')}"`;
const ROWS_PER_INSERT = 500;

/**
 * Restores a backup into an empty target (a PGlite directory that does not exist or is empty, or a
 * PostgreSQL database without tables), then verifies it. The whole file is read and checked before
 * anything is written; the rows go in in one transaction; a refused restore leaves the target as it
 * was (a PGlite directory it made is removed).
 */
export async function restoreBackup({ file, identity, to, keyring }: { file: string; identity: string; to: DatabaseLocation; keyring: Keyring }): Promise<RestoreReport> {
  const { manifest, tables } = await readBackup(file, identity);
  const known = readMigrations().map((migration) => migration.name);
  if (!known.includes(manifest.schemaVersion)) {
    throw new BackupError(
      manifest.schemaVersion > known.at(-1)!
        ? `This backup is from a newer Strongroom (schema ${manifest.schemaVersion}; this one knows up to ${known.at(-1)}): restore it with that version or later.`
        : `This backup's schema (${manifest.schemaVersion}) is not one this Strongroom knows.`,
    );
  }
  const madeDirectory = to.kind === 'pglite' && !existsSync(to.dataDir);
  if (to.kind === 'pglite' && !madeDirectory && readdirSync(to.dataDir).length > 0) {
    throw new BackupError(`${to.dataDir} is not empty: a restore goes only into an empty directory, never over data.`);
  }
  let db: Database | undefined;
  try {
    db = await openDatabase(to);
    if (!(await isEmptyDatabase(db.sql))) throw new BackupError('The target database is not empty: a restore goes only into an empty database, never over data.');
    await applyMigrations(db.sql, { until: manifest.schemaVersion });
    // Only the tables the schema has, and none that a backup leaves out (the migrations' own bookkeeping, sessions).
    const present = new Set((await db.sql.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)).map((row) => row.name));
    const foreign = tables.map((t) => t.table).filter((table) => !present.has(table) || TRANSIENT_TABLES.has(table));
    if (foreign.length > 0) throw new BackupError(`The backup names tables a backup of schema ${manifest.schemaVersion} does not hold (${foreign.join(', ')}). Nothing was restored.`);
    await loadRows(db.sql, tables);
    await applyMigrations(db.sql);
    return await verifyRestored(db, manifest, keyring);
  } catch (error) {
    await db?.close();
    db = undefined;
    if (madeDirectory) await rm((to as { dataDir: string }).dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    await db?.close();
  }
}

/** Inserts every table's rows, parents before children, in one transaction; sequences then continue after the highest value. */
async function loadRows(sql: SqlRunner, tables: BackupTable[]): Promise<void> {
  const edges = await sql.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace AND c.relname <> p.relname`,
  );
  const ordered: BackupTable[] = [];
  const placed = new Set<string>();
  const pending = [...tables];
  while (pending.length > 0) {
    const index = pending.findIndex((t) => edges.every((e) => e.child !== t.table || placed.has(e.parent) || !pending.some((p) => p.table === e.parent)));
    if (index < 0) throw new BackupError('The tables refer to each other in a circle; this backup cannot be loaded in order.');
    const [table] = pending.splice(index, 1);
    ordered.push(table!);
    placed.add(table!.table);
  }
  const serials = await sql.query<{ table: string; column: string }>(
    `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`,
  );
  await sql.transaction(async (tx) => {
    // Rows some migrations put in (the first audit chain's head) give way to the backup's.
    for (const { table } of [...ordered].reverse()) await tx.exec(`DELETE FROM ${quote(table)}`);
    for (const { table, rows } of ordered) {
      // The rows are as they were, derived columns and all: the triggers that keep those (audit heads
      // and numbers, a credential's newest test) must not run again over them. Foreign keys still do.
      await tx.exec(`ALTER TABLE ${quote(table)} DISABLE TRIGGER USER`);
      for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
        const batch = `[${rows.slice(at, at + ROWS_PER_INSERT).join(',')}]`;
        await tx.query(`INSERT INTO ${quote(table)} SELECT * FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`, [batch]);
      }
      await tx.exec(`ALTER TABLE ${quote(table)} ENABLE TRIGGER USER`);
    }
    for (const { table, column } of serials) {
      await tx.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quote(column)}) FROM ${quote(table)}), 1), (SELECT max(${quote(column)}) FROM ${quote(table)}) IS NOT NULL)`, [
        quote(table),
        column,
      ]);
    }
  });
}

/**
 * The checks that say a restored install is the one backed up: rows per table as the manifest
 * counts, every audit chain verifying (links, hashes, signed checkpoints) and ending at the head the
 * manifest names, and every sealed value opening with the configured keys.
 */
export async function verifyRestored(db: Database, manifest: BackupManifest, keyring: Keyring): Promise<RestoreReport> {
  const tables: RestoreReport['tables'] = {};
  for (const [table, expected] of Object.entries(manifest.tables)) {
    const [row] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`);
    tables[table] = { expected, restored: row?.n ?? 0 };
  }
  const failedChains: string[] = [];
  const reports = await verifyAllAuditChains(db.prisma, await trustedAuditKeys(db.prisma, keyring));
  for (const report of reports) {
    const head = manifest.auditHeads[report.chain];
    if (!report.ok) failedChains.push(`${report.chain}: event #${report.brokenAt} ${report.reason}`);
    else if (!head || String(report.events) !== head.count || report.headHash !== head.hash) failedChains.push(`${report.chain}: does not end at the head the backup names`);
  }
  for (const chain of Object.keys(manifest.auditHeads)) if (!reports.some((r) => r.chain === chain)) failedChains.push(`${chain}: missing`);

  const failed: RestoreReport['sealedValues']['failed'] = [];
  let opened = 0;
  // A restore's data keys have the ids they had: opened ones of this process (a drill inside the
  // server) must not stand in for opening them with the configured keys.
  const dataKeyIds = (await db.prisma.dataKey.findMany({ select: { id: true } })).map((key) => key.id);
  forgetDataKeys(dataKeyIds);
  const sealed = await db.prisma.sealedSecret.findMany({ select: { organizationId: true, ownerTable: true, ownerId: true, field: true, sealed: true }, orderBy: [{ ownerTable: 'asc' }, { ownerId: 'asc' }] });
  for (const row of sealed) {
    try {
      await openSealedRows(db.prisma, keyring, { organizationId: row.organizationId, ownerTable: row.ownerTable, ownerId: row.ownerId }, [row]);
      opened++;
    } catch (error) {
      failed.push({ ownerTable: row.ownerTable, ownerId: row.ownerId, field: row.field, reason: error instanceof SecretIntegrityError ? error.message : (error as Error).message });
    }
  }
  forgetDataKeys(dataKeyIds);
  const complete = Object.values(tables).every((t) => t.expected === t.restored) && failedChains.length === 0 && failed.length === 0;
  return { manifest, tables, auditChains: { verified: reports.length - failedChains.length, failed: failedChains }, sealedValues: { opened, failed }, complete };
}
