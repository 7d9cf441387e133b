import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlRunner } from '@/lib/server/db/open-database';

export const MIGRATIONS_DIR = join(process.cwd(), 'prisma', 'migrations');

/** The key `prisma migrate` itself locks, so this runner and `prisma migrate deploy` never overlap. */
const PRISMA_MIGRATE_LOCK = 72707369;

// Prisma's own bookkeeping table, so that `prisma migrate deploy` can take over where it is available.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

let committed: Migration[] | undefined;

/** The committed migrations, oldest first (those of this build read once: health asks often). */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (dir === MIGRATIONS_DIR) return (committed ??= readMigrationsIn(dir));
  return readMigrationsIn(dir);
}

function readMigrationsIn(dir: string): Migration[] {
  return readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(/*turbopackIgnore: true*/ join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

async function appliedMigrations(sql: Pick<SqlRunner, 'query'>): Promise<Map<string, string> | null> {
  const [table] = await sql.query<{ exists: boolean }>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`,
  );
  if (!table?.exists) return null;
  const rows = await sql.query<AppliedRow>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Map(rows.map((row) => [row.migration_name, row.checksum]));
}

export interface MigrationStatus {
  pending: string[];
  /** Applied, but edited since: the database may not match the code. */
  modified: string[];
}

/** Which committed migrations the database lacks or has in another form. */
export async function migrationStatus(sql: SqlRunner, dir = MIGRATIONS_DIR): Promise<MigrationStatus> {
  const applied = (await appliedMigrations(sql)) ?? new Map<string, string>();
  const migrations = readMigrations(dir);
  return {
    pending: migrations.filter((m) => !applied.has(m.name)).map((m) => m.name),
    modified: migrations.filter((m) => applied.has(m.name) && applied.get(m.name) !== m.checksum).map((m) => m.name),
  };
}

/**
 * Applies pending migrations in order, each in its own transaction together with its
 * `_prisma_migrations` row: a failing migration leaves nothing half-applied. Safe to run from
 * several processes at once (they queue on Prisma's advisory lock).
 */
export async function applyMigrations(
  sql: SqlRunner,
  { dir = MIGRATIONS_DIR, onApplied, until }: { dir?: string; onApplied?: (name: string) => void; /** Stop after this one (a restore loads data at its backup's version). */ until?: string } = {},
): Promise<string[]> {
  const done: string[] = [];
  await sql.exec(CREATE_MIGRATIONS_TABLE);
  const migrations = readMigrations(dir);
  const last = until === undefined ? migrations.length : migrations.findIndex((m) => m.name === until) + 1;
  for (const migration of migrations.slice(0, last)) {
    const applied = await sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${PRISMA_MIGRATE_LOCK})`);
      const checksum = (await appliedMigrations(tx))?.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was edited after it was applied; restore it and add a new migration instead.`);
        }
        return false;
      }
      const id = randomUUID();
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
        [id, migration.checksum, migration.name],
      );
      await tx.exec(migration.sql);
      await tx.query(
        `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
        [id],
      );
      return true;
    });
    if (applied) {
      done.push(migration.name);
      onApplied?.(migration.name);
    }
  }
  return done;
}
