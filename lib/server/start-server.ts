import 'server-only';
import { authSecret } from '@/lib/server/auth/auth-secret';
import { signAllChains } from '@/lib/server/audit/write-audit-checkpoint';
import { purgeDeletedCredentials } from '@/lib/server/credentials/purge-deleted-credentials';
import { bootstrap } from '@/lib/server/bootstrap';
import { keyring } from '@/lib/server/crypto/keyring';
import { database, services } from '@/lib/server/services';
import { env } from '@/lib/server/env';
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
    const root = await services();
    // Deleted credentials past their recovery window go, now and every six hours (idempotent, so
    // several instances doing it is harmless).
    const purge = () =>
      purgeDeletedCredentials(db.prisma).catch((error: unknown) => logger().error({ event: 'credential.purge_failed', err: String(error) }, 'purge failed'));
    void purge();
    setInterval(purge, 6 * 3_600_000).unref();
    // Every chain's head is signed every hour (and on each verify or export), so a deleted tail shows.
    const checkpoint = () =>
      signAllChains(root).catch((error: unknown) => logger().error({ event: 'audit.checkpoint_failed', err: String(error) }, 'checkpoint failed'));
    void checkpoint();
    setInterval(checkpoint, 3_600_000).unref();
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
