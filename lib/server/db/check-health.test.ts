import { afterEach, describe, expect, it } from 'vitest';
import { checkHealth } from '@/lib/server/db/check-health';
import { openDatabase, type Database } from '@/lib/server/db/open-database';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

describe('checkHealth', () => {
  let db: Database | undefined;
  afterEach(async () => db?.close());

  it('is ok on a migrated database', async () => {
    db = await openTestDatabase('pglite');
    expect(await checkHealth(db)).toEqual({ status: 'ok', db: 'up', migrations: 'current' });
  });

  it('reads the migrations once they are current, then only asks whether the database answers', async () => {
    db = await openTestDatabase('pglite');
    const sql = db.sql;
    const queries: string[] = [];
    const counted = { ...db, sql: { ...sql, query: <Row,>(text: string, params?: unknown[]) => (queries.push(text), sql.query<Row>(text, params)) } };
    expect(await checkHealth(counted)).toMatchObject({ status: 'ok' });
    const first = queries.length;
    expect(first).toBeGreaterThan(1);
    expect(await checkHealth(counted)).toMatchObject({ status: 'ok', migrations: 'current' });
    expect(queries.slice(first)).toEqual(['SELECT 1']);
  });

  it('is unavailable while migrations are pending', async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    expect(await checkHealth(db)).toEqual({ status: 'unavailable', db: 'up', migrations: 'pending' });
  });

  it('is unavailable when PostgreSQL does not answer', async () => {
    db = await openDatabase({ kind: 'postgres', url: 'postgres://strongroom@127.0.0.1:9/strongroom' });
    expect(await checkHealth(db)).toEqual({ status: 'unavailable', db: 'down', migrations: 'unknown' });
  });
});
