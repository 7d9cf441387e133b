import 'server-only';
import { migrationStatus } from '@/lib/server/db/migrations';
import type { Database } from '@/lib/server/db/open-database';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  db: 'up' | 'down';
  migrations: 'current' | 'pending' | 'modified' | 'unknown';
}

// Databases found carrying every migration of this build: a migration is never taken back while the
// server runs, so after that a probe only asks whether the database answers (probes come often).
const current = new WeakSet<object>();

/** Whether the database answers and carries every committed migration, unchanged. */
export async function checkHealth(db: Pick<Database, 'sql'>): Promise<HealthReport> {
  try {
    await db.sql.query('SELECT 1');
  } catch {
    return { status: 'unavailable', db: 'down', migrations: 'unknown' };
  }
  if (current.has(db.sql)) return { status: 'ok', db: 'up', migrations: 'current' };
  const { pending, modified } = await migrationStatus(db.sql);
  const migrations = modified.length > 0 ? 'modified' : pending.length > 0 ? 'pending' : 'current';
  if (migrations === 'current') current.add(db.sql);
  return { status: migrations === 'current' ? 'ok' : 'unavailable', db: 'up', migrations };
}
