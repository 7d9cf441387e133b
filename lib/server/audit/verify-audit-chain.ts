import 'server-only';
import type { PrismaClient } from '@/prisma/generated/client';
import { GENESIS_HASH, hashAuditEvent } from '@/lib/server/audit/hash-audit-event';

export type AuditChainReport =
  | { ok: true; events: number; headHash: string }
  | { ok: false; events: number; brokenAt: bigint; reason: string };

const BATCH = 1_000;

/** Walks the chain in order and reports the first event whose links or contents do not match. */
export async function verifyAuditChain(prisma: PrismaClient): Promise<AuditChainReport> {
  let prevHash = GENESIS_HASH;
  let events = 0;
  let after: bigint | undefined;
  for (;;) {
    const batch = await prisma.auditEvent.findMany({
      where: after === undefined ? {} : { seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: BATCH,
    });
    for (const event of batch) {
      if (event.prevHash !== prevHash) {
        return { ok: false, events, brokenAt: event.seq, reason: 'does not link to the event before it (an event was removed or reordered)' };
      }
      if (hashAuditEvent(prevHash, event) !== event.hash) {
        return { ok: false, events, brokenAt: event.seq, reason: 'its contents were changed after it was written' };
      }
      prevHash = event.hash;
      events++;
    }
    if (batch.length < BATCH) return { ok: true, events, headHash: prevHash };
    after = batch[batch.length - 1]!.seq;
  }
}
