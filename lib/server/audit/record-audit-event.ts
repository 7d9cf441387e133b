import 'server-only';
import { appendFields, auditChainOf, auditFields, createChainHead, type AuditEventInput } from '@/lib/server/audit/append-audit-event';
import { hashAuditEvent } from '@/lib/server/audit/hash-audit-event';
import { Prisma, type PrismaClient } from '@/prisma/generated/client';

type Pending = { fields: ReturnType<typeof auditFields>; done: () => void; failed: (error: unknown) => void };

const MAX_BATCH = 500;
interface Queue {
  pending: Pending[];
  flushing: boolean;
  /** Chains whose head is known to exist. */
  chains: Set<string>;
}
const queues = new WeakMap<PrismaClient, Queue>();

/**
 * Records an event that comes with no change of its own (a use of a secret, an API call, a refusal)
 * and resolves once it is committed, so nobody answers before the record exists. Under load such
 * events are written together: one transaction locks the chain head, links the batch in order and
 * inserts it. When idle, a batch is a single event and nothing waits.
 */
export function recordAuditEvent(prisma: PrismaClient, input: AuditEventInput): Promise<void> {
  let queue = queues.get(prisma);
  if (!queue) queues.set(prisma, (queue = { pending: [], flushing: false, chains: new Set() }));
  const fields = auditFields(input);
  const recorded = new Promise<void>((done, failed) => queue.pending.push({ fields, done, failed }));
  if (!queue.flushing) void flush(prisma, queue);
  return recorded;
}

async function flush(prisma: PrismaClient, queue: Queue) {
  queue.flushing = true;
  // Let the requests already in flight enqueue theirs first: bigger batches, one commit.
  await new Promise((resolve) => setImmediate(resolve));
  while (queue.pending.length > 0) {
    const batch = queue.pending.splice(0, MAX_BATCH);
    try {
      // A chain's head is created once, before and outside the batch's transaction (which then
      // locks heads only, always in one order); heads are never deleted.
      for (const chain of new Set(batch.map(({ fields }) => auditChainOf(fields.organizationId)))) {
        if (queue.chains.has(chain)) continue;
        await createChainHead(prisma, chain);
        queue.chains.add(chain);
      }
      if (batch.length === 1) await appendFields(prisma, batch[0]!.fields);
      else await prisma.$transaction(async (tx) => {
        // Lock the head of every chain in the batch, in one order (no deadlock with another batch),
        // then link each event to the one before it in its chain.
        const chains = [...new Set(batch.map(({ fields }) => auditChainOf(fields.organizationId)))].sort();
        const heads = await tx.$queryRaw<{ chain: string; hash: string }[]>`
          SELECT "chain", "hash" FROM "AuditHead" WHERE "chain" = ANY(${chains}::text[]) ORDER BY "chain" FOR UPDATE`;
        const prevHashes = new Map(heads.map((head) => [head.chain, head.hash]));
        const rows = batch.map(({ fields }) => {
          const chain = auditChainOf(fields.organizationId);
          const prevHash = prevHashes.get(chain)!;
          const hash = hashAuditEvent(prevHash, fields);
          prevHashes.set(chain, hash);
          return { ...fields, chain, prevHash, hash };
        });
        // One multi-row INSERT (plain SQL: the query builder costs more than the statement here).
        // Rows take their sequence numbers in this order, and the trigger leaves the head at the last.
        const values = rows.map(
          (r) => Prisma.sql`(${r.chain}, ${r.at}, ${r.actorType}::"ActorType", ${r.actorId}, ${r.actorLabel}, ${r.action}, ${r.targetType}, ${r.targetId},
            ${r.organizationId}::uuid, ${r.outcome}::"AuditOutcome", ${r.ip}, ${r.userAgent}, ${JSON.stringify(r.details)}::jsonb, ${r.prevHash}, ${r.hash})`,
        );
        await tx.$executeRaw`
          INSERT INTO "AuditEvent" ("chain", "at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId",
                                    "organizationId", "outcome", "ip", "userAgent", "details", "prevHash", "hash")
          VALUES ${Prisma.join(values)}`;
      });
      for (const item of batch) item.done();
    } catch (error) {
      for (const item of batch) item.failed(error);
    }
  }
  queue.flushing = false;
}
