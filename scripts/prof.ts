import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { openTestDatabase } from '@/lib/server/db/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
process.env.LOG_LEVEL = 'silent';
const db = await openTestDatabase('pglite');
await seedDemo(db.prisma, { demoPassword: randomBytes(8).toString('hex') });
const cred = await db.prisma.credential.findFirstOrThrow();
async function m(name: string, f: () => Promise<unknown>) {
  for (let i = 0; i < 100; i++) await f();
  const t: number[] = [];
  for (let i = 0; i < 1000; i++) { const s = performance.now(); await f(); t.push(performance.now() - s); }
  t.sort((a, b) => a - b); console.log(name.padEnd(30), t[500]!.toFixed(3));
}
await m('findUnique', () => db.prisma.credential.findUnique({ where: { id: cred.id } }));
await m('queryRaw select 1', () => db.prisma.$queryRaw`SELECT 1`);
await m('update lastUsedAt', () => db.prisma.$queryRaw`UPDATE "Credential" SET "lastUsedAt" = now() WHERE id = ${cred.id}::uuid RETURNING id`);
await m('empty tx', () => db.prisma.$transaction(async () => {}));
await m('tx head lock', () => db.prisma.$transaction(async (tx) => { await tx.$queryRaw`SELECT "hash" FROM "AuditHead" WHERE "id" = 1 FOR UPDATE`; }));
await m('tx append', () => db.prisma.$transaction((tx) => appendAuditEvent(tx, { actor: { type: 'SYSTEM' }, action: 'x', outcome: 'SUCCESS', details: { fields: ['a'] } })));
await m('insert connectionTest', () => db.prisma.connectionTest.create({ data: { credentialId: cred.id, startedAt: new Date(), durationMs: 1, outcome: 'SUCCESS', trigger: 'API', credentialVersion: 1 } }));
await m('insert auditEvent bare', () => db.prisma.auditEvent.create({ data: { actorType: 'SYSTEM', action: 'x', outcome: 'SUCCESS', prevHash: '0'.repeat(64), hash: randomBytes(32).toString('hex') } }));
await db.close();
