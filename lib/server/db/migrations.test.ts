import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, migrationStatus, readMigrations } from '@/lib/server/db/migrations';
import { openDatabase, type Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe.each(testDatabaseKinds())('migrations on %s', (kind) => {
  let db: Database;
  afterEach(async () => db?.close());

  it('applies the committed migrations once and records them as Prisma does', async () => {
    db = await openTestDatabase(kind); // applies them
    const rows = await db.sql.query<{ migration_name: string; checksum: string; applied_steps_count: number; finished_at: Date | null }>(
      'SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const committed = readMigrations();
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(committed.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.applied_steps_count === 1 && r.finished_at !== null)).toBe(true);
    expect(await applyMigrations(db.sql)).toEqual([]);
    expect(await migrationStatus(db.sql)).toEqual({ pending: [], modified: [] });
    expect(await db.prisma.organization.count()).toBe(0);
  });
});

describe('migration runner', () => {
  let db: Database;
  afterEach(async () => db?.close());

  it('rolls back a failing migration entirely and applies it once fixed', async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    const dir = migrationsDir({
      '001_a': 'CREATE TABLE a (id int);',
      '002_b': 'CREATE TABLE b (id int); INSERT INTO b VALUES (1); SELECT * FROM missing_table;',
    });
    await expect(applyMigrations(db.sql, { dir })).rejects.toThrow(/missing_table/);
    expect(await migrationStatus(db.sql, dir)).toEqual({ pending: ['002_b'], modified: [] });
    const [tableB] = await db.sql.query<{ found: string | null }>(`SELECT to_regclass('b')::text AS found`);
    expect(tableB?.found).toBeNull();

    writeFileSync(join(dir, '002_b', 'migration.sql'), 'CREATE TABLE b (id int);');
    expect(await applyMigrations(db.sql, { dir })).toEqual(['002_b']);
  });

  it('refuses a migration edited after it was applied', async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    const dir = migrationsDir({ '001_a': 'CREATE TABLE a (id int);' });
    await applyMigrations(db.sql, { dir });
    writeFileSync(join(dir, '001_a', 'migration.sql'), 'CREATE TABLE a (id bigint);');
    expect(await migrationStatus(db.sql, dir)).toEqual({ pending: [], modified: ['001_a'] });
    await expect(applyMigrations(db.sql, { dir })).rejects.toThrow(/001_a was edited after it was applied/);
  });
});
