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

  it('is unavailable while migrations are pending', async () => {
    db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    expect(await checkHealth(db)).toEqual({ status: 'unavailable', db: 'up', migrations: 'pending' });
  });

  it('is unavailable when PostgreSQL does not answer', async () => {
    db = await openDatabase({ kind: 'postgres', url: 'postgres://strongroom@127.0.0.1:9/strongroom' });
    expect(await checkHealth(db)).toEqual({ status: 'unavailable', db: 'down', migrations: 'unknown' });
  });
});
