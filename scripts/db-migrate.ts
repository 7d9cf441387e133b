// npm run db:migrate: applies pending migrations to DATABASE_URL (PostgreSQL), or to the embedded
// database in DATA_DIR when the server is not running (the server migrates it itself at start).
import { databaseLocation } from '@/lib/server/db/open-database';
import { applyMigrations } from '@/lib/server/db/migrations';
import { openDatabase } from '@/lib/server/db/open-database';

async function main() {
  const db = await openDatabase(databaseLocation());
  try {
    const applied = await applyMigrations(db.sql, { onApplied: (name) => process.stdout.write(`applied ${name}\n`) });
    process.stdout.write(applied.length ? `${applied.length} migration(s) applied.\n` : 'Database is up to date.\n');
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
