import 'server-only';
import { appendToChain, auditChainOf, auditFields, throughPrisma, throughSql, type AuditEventInput, type AuditFields } from '@/lib/server/audit/append-audit-event';
import { sqlRunnerOf } from '@/lib/server/db/open-database';
import type { PrismaClient } from '@/prisma/generated/client';

type Pending = { fields: AuditFields; done: () => void; failed: (error: unknown) => void };

const MAX_BATCH = 500;
interface Queue {
  pending: Pending[];
  flushing: boolean;
}
const queues = new WeakMap<PrismaClient, Queue>();

/**
 * Records an event that comes with no change of its own (a use of a secret, an API call, a refusal)
 * and resolves once it is committed, so nobody answers before the record exists. Under load such
 * events are written together: one statement per chain locks its head, links the batch in order and
 * inserts it (appendToChain). When idle, a batch is a single event and nothing waits.
 */
export function recordAuditEvent(prisma: PrismaClient, input: AuditEventInput): Promise<void> {
  let queue = queues.get(prisma);
  if (!queue) queues.set(prisma, (queue = { pending: [], flushing: false }));
  const fields = auditFields(input);
  const recorded = new Promise<void>((done, failed) => queue.pending.push({ fields, done, failed }));
  if (!queue.flushing) void flush(prisma, queue);
  return recorded;
}

async function flush(prisma: PrismaClient, queue: Queue) {
  queue.flushing = true;
  // Let the requests already in flight enqueue theirs first: bigger batches, one commit.
  await new Promise((resolve) => setImmediate(resolve));
  // Plain SQL where the client's database is known (Prisma's query layer costs more than the statement).
  const runner = sqlRunnerOf(prisma);
  const query = runner ? throughSql(runner) : throughPrisma(prisma);
  while (queue.pending.length > 0) {
    const byChain = new Map<string, Pending[]>();
    for (const item of queue.pending.splice(0, MAX_BATCH)) {
      const chain = auditChainOf(item.fields.organizationId);
      if (byChain.has(chain)) byChain.get(chain)!.push(item);
      else byChain.set(chain, [item]);
    }
    // One statement (so one commit) per chain; chains are independent, so one failing fails only its events.
    for (const [chain, batch] of byChain) {
      try {
        await appendToChain(query, chain, batch.map(({ fields }) => fields));
        for (const item of batch) item.done();
      } catch (error) {
        for (const item of batch) item.failed(error);
      }
    }
  }
  queue.flushing = false;
}
