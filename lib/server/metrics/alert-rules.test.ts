import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { httpMetrics } from '@/scripts/http-metrics.mjs';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { collectMetrics } from '@/lib/server/metrics/collect-metrics';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

const RULES = 'docs/alerts.yml';

describe('the alert rules of docs/operations.md', () => {
  it('are accepted by promtool (Debian’s prometheus package)', () => {
    const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('name only metrics Strongroom exports, and each has a runbook section', async () => {
    const db = await openTestDatabase('pglite');
    try {
      httpMetrics({ stats: () => ({ running: 0, queued: 0, shed: 0 }) });
      const text = await collectMetrics({ prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) });
      const exported = new Set([...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_count`, `${name}_sum`, `${name}_bucket`] : [name!])));
      const rules = readFileSync(RULES, 'utf8');
      const used = new Set([...rules.matchAll(/\b(strongroom_[a-z_]+)/g)].map((m) => m[1]!));
      expect(used.size).toBeGreaterThan(5);
      expect([...used].filter((name) => !exported.has(name))).toEqual([]);
      const runbook = readFileSync('docs/operations.md', 'utf8');
      const anchors = new Set([...runbook.matchAll(/^### (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/\s+/g, '-')));
      const linked = [...rules.matchAll(/runbook: docs\/operations\.md#(\S+)/g)].map((m) => m[1]!);
      expect(linked.filter((anchor) => !anchors.has(anchor))).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
