import 'server-only';
import { appendFields, auditFields, type AuditEventInput } from '@/lib/server/audit/append-audit-event';
import { hashAuditEvent } from '@/lib/server/audit/hash-audit-event';
import type { PrismaClient } from '@/prisma/generated/client';

type Pending = { fields: ReturnType<typeof auditFields>; done: () => void; failed: (error: unknown) => void };

const MAX_BATCH = 500;
const queues = new WeakMap<PrismaClient, { pending: Pending[]; flushing: boolean }>();

/**
 * Records an event that comes with no change of its own (a use of a secret, an API call, a refusal)
 * and resolves once it is committed, so nobody answers before the record exists. Under load such
 * events are written together: one transaction locks the chain head, links the batch in order and
 * inserts it. When idle, a batch is a single event and nothing waits.
 */
export function recordAuditEvent(prisma: PrismaClient, input: AuditEventInput): Promise<void> {
  let queue = queues.get(prisma);
  if (!queue) queues.set(prisma, (queue = { pending: [], flushing: false }));
  const fields = auditFields(input);
  const recorded = new Promise<void>((done, failed) => queue.pending.push({ fields, done, failed }));
  if (!queue.flushing) void flush(prisma, queue);
  return recorded;
}

async function flush(prisma: PrismaClient, queue: { pending: Pending[]; flushing: boolean }) {
  queue.flushing = true;
  while (queue.pending.length > 0) {
    const batch = queue.pending.splice(0, MAX_BATCH);
    try {
      if (batch.length === 1) await appendFields(prisma, batch[0]!.fields);
      else await prisma.$transaction(async (tx) => {
        const [head] = await tx.$queryRaw<{ hash: string }[]>`SELECT "hash" FROM "AuditHead" WHERE "id" = 1 FOR UPDATE`;
        if (!head) throw new Error('AuditHead row is missing: the audit_head migration was not applied');
        let prevHash = head.hash;
        const rows = batch.map(({ fields }) => {
          const hash = hashAuditEvent(prevHash, fields);
          const row = { ...fields, prevHash, hash };
          prevHash = hash;
          return row;
        });
        // One multi-row INSERT: rows take their sequence numbers in this order, and the trigger
        // leaves the head at the last one.
        await tx.auditEvent.createMany({ data: rows });
      });
      for (const item of batch) item.done();
    } catch (error) {
      for (const item of batch) item.failed(error);
    }
  }
  queue.flushing = false;
}
