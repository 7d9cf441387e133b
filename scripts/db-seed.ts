// npm run db:seed: adds the demo organization, entities and users (idempotent). The embedded
// server seeds itself at start; this is for PostgreSQL.
import { databaseLocation } from '@/lib/server/db/open-database';
import { openDatabase } from '@/lib/server/db/open-database';
import { keyring } from '@/lib/server/crypto/keyring';
import { demoOrganizationId, seedDemo } from '@/lib/server/seed/seed-demo';
import { seedDemoStates } from '@/lib/server/seed/seed-demo-states';
import { env } from '@/lib/server/env';

async function main() {
  const db = await openDatabase(databaseLocation());
  try {
    const logins = await seedDemo(db.prisma, { demoPassword: env().DEMO_PASSWORD });
    await seedDemoStates({ prisma: db.prisma, keyring: keyring() }, { organizationId: (await demoOrganizationId(db.prisma))! });
    for (const login of logins) {
      process.stdout.write(`${login.role.padEnd(8)} ${login.email.padEnd(22)} ${env().DEMO_PASSWORD ? '(DEMO_PASSWORD)' : login.password}\n`);
    }
    process.stdout.write(logins.length ? 'Demo data created; passwords are shown this once.\n' : 'Demo data already present.\n');
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`db:seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
