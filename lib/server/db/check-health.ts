import 'server-only';
import { migrationStatus } from '@/lib/server/db/migrations';
import type { Database } from '@/lib/server/db/open-database';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  db: 'up' | 'down';
  migrations: 'current' | 'pending' | 'modified' | 'unknown';
}

/** Whether the database answers and carries every committed migration, unchanged. */
export async function checkHealth(db: Pick<Database, 'sql'>): Promise<HealthReport> {
  try {
    await db.sql.query('SELECT 1');
  } catch {
    return { status: 'unavailable', db: 'down', migrations: 'unknown' };
  }
  const { pending, modified } = await migrationStatus(db.sql);
  const migrations = modified.length > 0 ? 'modified' : pending.length > 0 ? 'pending' : 'current';
  return { status: migrations === 'current' ? 'ok' : 'unavailable', db: 'up', migrations };
}
