import 'server-only';
import { env, type Env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';
import { applyMigrations } from '@/lib/server/db/migrations';
import { openDatabase, type Database, type DatabaseLocation } from '@/lib/server/db/open-database';
import { seedDemo, type DemoLogin } from '@/lib/server/seed/seed-demo';
import type { PrismaClient } from '@/prisma/generated/client';

export function databaseLocation(config: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'> = env()): DatabaseLocation {
  return config.DATABASE_URL
    ? { kind: 'postgres', url: config.DATABASE_URL }
    : { kind: 'pglite', dataDir: config.DATA_DIR };
}

// One database per process, shared by every bundle Next builds (instrumentation, routes, pages):
// a second PGlite on the same directory would corrupt it.
const holder = globalThis as typeof globalThis & { strongroomDatabase?: Promise<Database> };

/**
 * The process's database, opened on first use. In embedded mode this process owns the PGlite
 * directory, so it also applies migrations and the demo seed; PostgreSQL is migrated with
 * `npm run db:migrate`.
 */
export function database(): Promise<Database> {
  holder.strongroomDatabase ??= start();
  return holder.strongroomDatabase;
}

/** The Prisma client of the process's database. */
export async function prisma(): Promise<PrismaClient> {
  return (await database()).prisma;
}

async function start(): Promise<Database> {
  const config = env();
  const db = await openDatabase(databaseLocation(config));
  if (db.kind === 'pglite') {
    await applyMigrations(db.sql, { onApplied: (name) => logger().info({ event: 'db.migrated', name }, 'migration applied') });
    if (config.SEED_DEMO === 'true') {
      const logins = await seedDemo(db.prisma, { demoPassword: config.DEMO_PASSWORD });
      if (logins.length > 0) showDemoLogins(logins, Boolean(config.DEMO_PASSWORD));
    }
  }
  return db;
}

// Straight to the terminal of the person who started the app, once; never into the structured log.
function showDemoLogins(logins: DemoLogin[], fromEnv: boolean) {
  const lines = logins.map((l) => `  ${l.role.padEnd(8)} ${l.email.padEnd(22)} ${fromEnv ? '(password from DEMO_PASSWORD)' : l.password}`);
  process.stdout.write(
    ['', 'Strongroom demo logins (shown this once; they are not stored in clear anywhere):', ...lines, ''].join('\n') + '\n',
  );
}
