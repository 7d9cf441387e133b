import 'server-only';
import { authSecret } from '@/lib/server/auth/auth-secret';
import { bootstrap } from '@/lib/server/bootstrap';
import { keyring } from '@/lib/server/crypto/keyring';
import { database, services } from '@/lib/server/services';
import { env } from '@/lib/server/env';
import { processJobs } from '@/lib/server/jobs/jobs';
import { startScheduler } from '@/lib/server/jobs/scheduler';
import { logger } from '@/lib/server/logger';

/**
 * Fails fast with one line saying what to fix: bad configuration or key, an unwritable data
 * directory, a database in use by another process. A PostgreSQL that is down does not stop the start: /api/health
 * reports it and requests fail until it is back.
 */
export async function startServer(): Promise<void> {
  try {
    const config = env();
    keyring();
    authSecret();
    const db = await database();
    await bootstrap(db, config);
    // Periodic jobs (housekeeping, audit checkpoints): every instance ticks, one runs each due job.
    startScheduler(await services(), processJobs(), { tickMs: config.SCHEDULER_TICK_SECONDS * 1000 });
    const closeAndExit = () => void db.close().finally(() => process.exit(0));
    process.once('SIGINT', closeAndExit);
    process.once('SIGTERM', closeAndExit);
    logger().info({ event: 'server.started', database: db.kind, dataDir: db.kind === 'pglite' ? config.DATA_DIR : undefined }, 'ready');
  } catch (error) {
    process.stderr.write(`Strongroom cannot start: ${describe(error)}\n`);
    process.exit(1);
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const path = (error as NodeJS.ErrnoException)?.path;
  if ((code === 'EACCES' || code === 'EROFS' || code === 'EPERM') && path) {
    return `cannot write ${path} (${code}). Set DATA_DIR to a writable directory.`;
  }
  return error instanceof Error ? error.message : String(error);
}
