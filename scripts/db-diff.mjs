#!/usr/bin/env node
// Authors the next migration without network: Prisma's CLI needs a native schema engine that cannot be
// downloaded here, so this drives the WASM schema engine from npm to diff two schema files.
//
//   npm run db:diff -- <name> [--from <old schema file>]
//
// --from defaults to prisma/schema.prisma as committed at HEAD (empty database if none). The SQL is
// written to prisma/migrations/<timestamp>_<name>/migration.sql; review it, then commit it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const name = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--from');
const fromIndex = args.indexOf('--from');
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:diff -- <snake_case_name> [--from <old schema.prisma>]');
  process.exit(2);
}

const schemaPath = 'prisma/schema.prisma';
function previousSchema() {
  if (fromIndex >= 0) return readFileSync(args[fromIndex + 1], 'utf8');
  try {
    return execFileSync('git', ['show', `HEAD:${schemaPath}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null; // first migration: diff from an empty database
  }
}

async function loadEngine() {
  const pkgDir = dirname(fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm')));
  // Node 20 cannot import .wasm modules, so instantiate the wasm-bindgen output by hand.
  const bindings = await import(join(pkgDir, 'schema_engine_bg.js'));
  const bytes = readFileSync(join(pkgDir, 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  // The engine wants a driver adapter even for a datamodel-only diff; an in-memory PGlite never
  // receives a query for it.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const { bindMigrationAwareSqlAdapterFactory } = await import('@prisma/driver-adapter-utils');
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(new PGlite()));
  return bindings.SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
}

const target = (content) =>
  content === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: schemaPath, content }] };

const engine = await loadEngine();
const result = await engine.diff({
  from: target(previousSchema()),
  to: target(readFileSync(schemaPath, 'utf8')),
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
const sql = result.stdout ?? '';
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log('No schema change: nothing written.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join('prisma/migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), sql);
console.log(`Wrote ${join(dir, 'migration.sql')}`);
