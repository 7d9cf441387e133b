import 'server-only';
import { applyMigrations, migrationStatus } from '@/lib/server/db/migrations';
import type { Database } from '@/lib/server/db/open-database';
import type { Env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';
import { seedDemo, type DemoLogin } from '@/lib/server/seed/seed-demo';

/**
 * Prepares the database before the server takes requests: migrate → seed the demo data if asked →
 * print its logins. The embedded database belongs to this process, so it is migrated and seeded
 * here; PostgreSQL is migrated and seeded by `npm run db:migrate` / `db:seed`, and a pending
 * migration is only reported.
 */
export async function bootstrap(db: Database, config: Pick<Env, 'SEED_DEMO' | 'DEMO_PASSWORD'>): Promise<void> {
  if (db.kind === 'postgres') {
    const { pending } = await migrationStatus(db.sql).catch(() => ({ pending: [] as string[] }));
    if (pending.length > 0) logger().warn({ event: 'db.migrations_pending', pending }, 'migrations pending: run npm run db:migrate');
    return;
  }
  await applyMigrations(db.sql, { onApplied: (name) => logger().info({ event: 'db.migrated', name }, 'migration applied') });
  if (config.SEED_DEMO !== 'true') return;
  const logins = await seedDemo(db.prisma, { demoPassword: config.DEMO_PASSWORD });
  if (logins.length > 0) showDemoLogins(logins, Boolean(config.DEMO_PASSWORD));
}

// Straight to the terminal of the person who started the app, once; never into the structured log.
function showDemoLogins(logins: DemoLogin[], fromEnv: boolean) {
  const lines = logins.map((l) => `  ${l.role.padEnd(8)} ${l.email.padEnd(22)} ${fromEnv ? '(password from DEMO_PASSWORD)' : l.password}`);
  process.stdout.write(
    ['', 'Strongroom demo logins (shown this once; they are not stored in clear anywhere):', ...lines, ''].join('\n') + '\n',
  );
}
