import { defineConfig } from 'prisma/config';

// The schema engine cannot be downloaded here, so `prisma migrate` is not used: migrations are
// applied by scripts/db-migrate.ts (see README "Database"). `prisma generate` needs no engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
