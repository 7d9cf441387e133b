import 'server-only';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter } from 'age-encryption';
import { z } from 'zod';
import type { Database, SqlRunner } from '@/lib/server/db/open-database';
import { nowMs } from '@/lib/server/clock';

// A backup is one file, encrypted as a whole with age (X25519) to a backup recipient that is not the
// KEK: the server needs only the public recipient to write one, and only whoever holds the backup
// identity can open it. Inside, lines: the manifest (JSON), then for each table a line "#table Name"
// and its rows as PostgreSQL's own row_to_json text (a row is a JSON object, never a line starting
// with #), then "#end". Logical rather than pg_dump's or PGlite's own format, so an
// embedded install's backup restores into PostgreSQL (and back).

export const BACKUP_FORMAT = 'strongroom-backup/1';

/** Rows that only matter while the server runs, left out: a restored install starts with everyone signed out. */
export const TRANSIENT_TABLES = new Set(['_prisma_migrations', 'Session', 'StepUpGrant', 'PasskeyChallenge', 'RateLimiterFlexible']);

export const ZManifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string(),
  /** The newest migration applied to the database backed up. */
  schemaVersion: z.string().min(1),
  database: z.enum(['pglite', 'postgres']),
  /** Rows per table, in the order they are written. */
  tables: z.record(z.string(), z.number().int().min(0)),
  /** Every audit chain's head: events counted and the newest event's hash. */
  auditHeads: z.record(z.string(), z.object({ count: z.string(), hash: z.string() })),
  newestCheckpoint: z.object({ chain: z.string(), seq: z.string(), hash: z.string(), signedAt: z.string(), keyId: z.string() }).nullable(),
  /** The key-encryption keys the data keys and audit signing keys are wrapped with: needed to open anything after a restore. */
  kekIds: z.array(z.string()),
});
export type BackupManifest = z.infer<typeof ZManifest>;

/** A backup that cannot be used, said so that the operator knows what to do. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const quote = (table: string) => `"${table.replaceAll('"', '""')}"`;

/** Reads the database in one read-only, repeatable-read transaction: what a backup holds is one moment. */
async function snapshot(db: Database): Promise<{ manifest: BackupManifest; lines: string[] }> {
  return db.sql.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const tableRows = await tx.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    const tables = tableRows.map((row) => row.name).filter((name) => !TRANSIENT_TABLES.has(name));
    const [migration] = await tx.query<{ name: string }>(`SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name DESC LIMIT 1`);
    const heads = await tx.query<{ chain: string; count: string; hash: string }>(`SELECT chain, count::text AS count, hash FROM "AuditHead" ORDER BY chain`);
    const [checkpoint] = await tx.query<{ chain: string; seq: string; hash: string; signedAt: string; keyId: string }>(
      `SELECT chain, seq::text AS seq, hash, to_json("signedAt")#>>'{}' AS "signedAt", "keyId" FROM "AuditCheckpoint" ORDER BY "signedAt" DESC, seq DESC LIMIT 1`,
    );
    const kekIds = await tx.query<{ kekId: string }>(`SELECT DISTINCT "kekId" FROM (SELECT "kekId" FROM "DataKey" UNION SELECT "kekId" FROM "AuditSigningKey") k ORDER BY "kekId"`);
    const lines: string[] = [];
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const rows = await tx.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${quote(table)} t`);
      counts[table] = rows.length;
      lines.push(`#table ${table}`);
      for (const { row } of rows) lines.push(row);
    }
    lines.push('#end');
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date(nowMs()).toISOString(),
      schemaVersion: migration?.name ?? '',
      database: db.kind,
      tables: counts,
      auditHeads: Object.fromEntries(heads.map((head) => [head.chain, { count: head.count, hash: head.hash }])),
      newestCheckpoint: checkpoint ?? null,
      kekIds: kekIds.map((row) => row.kekId),
    };
    return { manifest, lines };
  });
}

/**
 * Writes a backup of `db` to `out`, encrypted to `recipient` (age1…): a temporary file next to it,
 * flushed to disk, then renamed, so a backup killed half-way leaves nothing that looks complete.
 */
export async function writeBackup(db: Database, { out, recipient }: { out: string; recipient: string }): Promise<BackupManifest> {
  if (await stat(out).then(() => true, () => false)) throw new BackupError(`${out} exists already: choose another name (a backup never overwrites one).`);
  const encrypter = new Encrypter();
  try {
    encrypter.addRecipient(recipient);
  } catch {
    throw new BackupError('BACKUP_RECIPIENT is not an age recipient (age1…): `npm run backup:keygen` makes a backup key and prints its recipient.');
  }
  const { manifest, lines } = await snapshot(db);
  const encoder = new TextEncoder();
  let next = 0;
  const plaintext = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === 0) controller.enqueue(encoder.encode(`${JSON.stringify(manifest)}\n`));
      // About 64 KiB at a time.
      let chunk = '';
      while (next < lines.length && chunk.length < 65_536) chunk += `${lines[next++]}\n`;
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (next >= lines.length) controller.close();
    },
  });
  const encrypted = await encrypter.encrypt(plaintext);
  const partial = `${out}.partial-${randomUUID()}`;
  try {
    await pipeline(Readable.fromWeb(encrypted as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    const file = await open(partial, 'r');
    await file.sync();
    await file.close();
    await rename(partial, out);
    const directory = await open(dirname(out), 'r');
    await directory.sync().catch(() => undefined);
    await directory.close();
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return manifest;
}

/** One table of a backup: its name and its rows as JSON text. */
export interface BackupTable {
  table: string;
  rows: string[];
}

/**
 * Opens a backup with the backup identity (AGE-SECRET-KEY-1…) and reads it whole, checking it as it
 * goes: age authenticates every chunk (a flipped byte or a cut file is refused), the manifest must be
 * one, and every table must hold the rows the manifest counts, in order, up to the end line.
 */
export async function readBackup(file: string, identity: string): Promise<{ manifest: BackupManifest; tables: BackupTable[] }> {
  const decrypter = new Decrypter();
  try {
    decrypter.addIdentity(identity);
  } catch {
    throw new BackupError('The backup identity is not an age identity (AGE-SECRET-KEY-1…).');
  }
  if (!(await stat(file).then((s) => s.isFile(), () => false))) throw new BackupError(`${file}: no such backup file.`);
  let text = '';
  try {
    const decrypted = await decrypter.decrypt(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for await (const chunk of decrypted as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/no identity matched/i.test(message)) throw new BackupError('This backup was not made for this backup key: check BACKUP_IDENTITY (or BACKUP_IDENTITY_FILE). Nothing was restored.');
    throw new BackupError(`The backup is damaged or cut short (${message}). Nothing was restored.`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const manifest = ZManifest.safeParse(parseLine(lines[0]));
  if (!manifest.success) throw new BackupError('This file opens but holds no Strongroom backup manifest. Nothing was restored.');
  const tables: BackupTable[] = [];
  let index = 1;
  for (const [table, count] of Object.entries(manifest.data.tables)) {
    if (lines[index] !== `#table ${table}`) throw new BackupError(`The backup does not match its manifest: table ${table} is not where the manifest puts it. Nothing was restored.`);
    const start = index + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('#')) end++;
    if (end - start !== count) throw new BackupError(`The backup does not match its manifest: it holds ${end - start} rows of ${table}, the manifest says ${count}. Nothing was restored.`);
    tables.push({ table, rows: lines.slice(start, end) });
    index = end;
  }
  if (lines[index] !== '#end' || index !== lines.length - 1) {
    throw new BackupError('The backup does not match its manifest: it holds tables the manifest does not list. Nothing was restored.');
  }
  return { manifest: manifest.data, tables };
}

function parseLine(line: string | undefined): unknown {
  try {
    return line === undefined ? null : JSON.parse(line);
  } catch {
    return null;
  }
}

/** Whether a PostgreSQL database (or a freshly opened PGlite) holds no tables: the only place a restore writes. */
export async function isEmptyDatabase(sql: Pick<SqlRunner, 'query'>): Promise<boolean> {
  const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
  return row?.n === 0;
}
