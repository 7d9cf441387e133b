import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The floors of ARCHITECTURE.md, checked on the source text.

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith('test-support') ? [] : sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
const production = [...sources('app'), ...sources('lib'), ...sources('components'), 'proxy.ts', 'instrumentation.ts'];
const read = (file: string) => readFileSync(file, 'utf8');
const importsOf = (file: string) => [...read(file).matchAll(/from '(@\/[^']+)'/g)].map((m) => m[1]!);

describe('architecture', () => {
  it('sees the whole code base', () => expect(production.length).toBeGreaterThan(100));

  it('test support is imported by no production code (tests and the bench only)', () => {
    expect(production.filter((file) => read(file).includes('test-support'))).toEqual([]);
  });

  it('the database floor imports nothing above it (no capability, no seed)', () => {
    // The metrics registry may be counted into from the floor: it is a leaf (prom-client only).
    const allowed = /^@\/(lib\/server\/(db\/|env$|logger$|metrics\/metrics$)|prisma\/generated\/)/;
    const upward = sources('lib/server/db').flatMap((file) => importsOf(file).filter((i) => !allowed.test(i)).map((i) => `${file} → ${i}`));
    expect(upward).toEqual([]);
    expect(importsOf('lib/server/metrics/metrics.ts')).toEqual([]);
  });

  it('only the composition root opens the process database', () => {
    const openers = production.filter((file) => /\bopenDatabase\(/.test(read(file)) && !file.startsWith('lib/server/db/'));
    // A restore opens its target, never the process's database.
    expect(openers).toEqual(['lib/server/backup/restore-backup.ts', 'lib/server/services.ts']);
  });

  it('no page, action or route queries a table itself', () => {
    const query = /\.\$?(findMany|findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|count|create|createMany|update|updateMany|upsert|delete|deleteMany|groupBy|aggregate|queryRaw|executeRaw|transaction)\(/;
    expect(sources('app').filter((file) => query.test(read(file)))).toEqual([]);
  });

  it('pages and actions change credentials only through the four-eyes gate (submit-credential-change)', () => {
    const direct = /@\/lib\/server\/credentials\/(create|update|revoke|delete)-credential'|@\/lib\/server\/credentials\/(stage-secrets|roll-back-secrets)'/;
    expect([...sources('app'), ...sources('components')].filter((file) => direct.test(read(file)))).toEqual([]);
  });

  it('credential status is written by its owner only', () => {
    const owner = 'lib/server/credentials/change-credential-status.ts';
    const writes = /status:\s*'(DRAFT|ACTIVE|REFRESHING|EXPIRED|NEEDS_ATTENTION|REVOKED)'\s*[,}]/;
    const writesInSql = /UPDATE "Credential"[^`]*SET[^`]*\bstatus\s*=/;
    expect(production.filter((file) => file !== owner && (writes.test(read(file)) || writesInSql.test(read(file))))).toEqual([]);
    expect(read(owner)).toMatch(writesInSql);
  });
});
