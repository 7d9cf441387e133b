import 'server-only';
import { applyMigrations, migrationStatus } from '@/lib/server/db/migrations';
import type { Database } from '@/lib/server/db/open-database';
import { publicUrl, type Env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';
import { keyring } from '@/lib/server/crypto/keyring';
import { demoOrganizationId, seedDemo, type DemoLogin } from '@/lib/server/seed/seed-demo';
import { seedDemoStates } from '@/lib/server/seed/seed-demo-states';
import { offerSetupLink } from '@/lib/server/setup/setup-link';
import { preconfigureSso } from '@/lib/server/sso/preconfigure-sso';

/**
 * Prepares the database before the server takes requests: migrate → seed the demo data if asked →
 * print its logins → with no organization at all, print a setup link → single sign-on from SSO_*. The embedded database belongs
 * to this process, so it is migrated and seeded here; PostgreSQL is migrated and seeded by
 * `npm run db:migrate` / `db:seed`, and a pending migration is only reported.
 */
export async function bootstrap(db: Database, config: Pick<Env, 'SEED_DEMO' | 'DEMO_PASSWORD' | 'NEXTAUTH_URL' | 'PORT'> & Parameters<typeof preconfigureSso>[1]): Promise<void> {
  if (db.kind === 'postgres') {
    const { pending } = await migrationStatus(db.sql).catch(() => ({ pending: null }));
    if (pending && pending.length > 0) logger().warn({ event: 'db.migrations_pending', pending }, 'migrations pending: run npm run db:migrate');
    if (pending?.length !== 0) return;
  } else {
    await applyMigrations(db.sql, { onApplied: (name) => logger().info({ event: 'db.migrated', name }, 'migration applied') });
    if (config.SEED_DEMO === 'true') {
      const logins = await seedDemo(db.prisma, { demoPassword: config.DEMO_PASSWORD });
      await seedDemoStates({ prisma: db.prisma, keyring: keyring() }, { organizationId: (await demoOrganizationId(db.prisma))! });
      if (logins.length > 0) showDemoLogins(logins, Boolean(config.DEMO_PASSWORD));
    }
  }
  const setupLink = await offerSetupLink(db.prisma, { baseUrl: publicUrl(config) });
  if (setupLink) showSetupLink(setupLink);
  await preconfigureSso({ prisma: db.prisma, keyring: keyring() }, config);
}

// Like the demo logins: to the terminal (or container log) of whoever started the server, as plain
// text, once per start; the structured log only says that a link was issued.
function showSetupLink(url: string) {
  logger().info({ event: 'setup.link_issued' }, 'no organization yet: setup link printed');
  process.stdout.write(
    ['', 'Strongroom has no organization yet. Open this link to set it up (single use, valid 24 hours):', `  ${url}`, 'Or, without a browser: npm run setup', ''].join('\n') + '\n',
  );
}

// Straight to the terminal of the person who started the app, once; never into the structured log.
function showDemoLogins(logins: DemoLogin[], fromEnv: boolean) {
  const lines = logins.map((l) => `  ${l.role.padEnd(8)} ${l.email.padEnd(22)} ${fromEnv ? '(password from DEMO_PASSWORD)' : l.password}`);
  process.stdout.write(
    ['', 'Strongroom demo logins (shown this once; they are not stored in clear anywhere):', ...lines, ''].join('\n') + '\n',
  );
}
