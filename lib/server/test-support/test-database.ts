import 'server-only';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '@/lib/server/db/migrations';
import { openDatabase, type Database } from '@/lib/server/db/open-database';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** Tests run on in-memory PGlite, and on PostgreSQL too when TEST_DATABASE_URL is set. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A new, migrated (unless `migrate: false`), empty database: in-memory PGlite, or a fresh database
 * on the TEST_DATABASE_URL server that `close()` drops again.
 */
export async function openTestDatabase(kind: TestDatabaseKind, { migrate = true }: { migrate?: boolean } = {}): Promise<Database & { url?: string }> {
  if (kind === 'pglite') {
    const db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    if (migrate) await applyMigrations(db.sql);
    return db;
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `strongroom_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString() });
  if (migrate) await applyMigrations(db.sql);
  return {
    ...db,
    url: url.toString(),
    async close() {
      await db.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
