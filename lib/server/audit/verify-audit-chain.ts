import 'server-only';
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, hashAuditEvent, type HashedAuditFields } from '@/lib/server/audit/hash-audit-event';
import { checkpointMessage, checkSignature } from '@/lib/server/crypto/audit-signing-key';
import type { PrismaClient } from '@/prisma/generated/client';

export type AuditChainReport =
  | { ok: true; chain: string; events: number; headHash: string; checkpoints: number }
  | { ok: false; chain: string; events: number; brokenAt: bigint; reason: string };

export interface ChainEvent extends HashedAuditFields {
  seq: bigint;
  /** 1, 2, 3 … in the chain (absent in exports made before events were numbered). */
  number?: bigint;
  prevHash: string;
  hash: string;
}

export interface Checkpoint {
  seq: bigint;
  hash: string;
  signedAt: Date;
  keyId: string;
  signature: string;
}

/**
 * Checks one chain, given its events in order and its checkpoints: each event links to the one
 * before it and its hash covers its contents; each checkpoint is signed by a known key and names an
 * event that is there with that hash; events are numbered 1, 2, 3 … with no gap. Reports the first event that is wrong or missing: edited,
 * removed or reordered events break a link or a hash, and events removed from the end are found by
 * the newest checkpoint that names one of them. Pure: the same check runs on the database and on
 * an export.
 */
export async function checkChain(
  chain: string,
  events: AsyncIterable<ChainEvent> | Iterable<ChainEvent>,
  checkpoints: Checkpoint[],
  publicKeys: Map<string, KeyObject>,
): Promise<AuditChainReport> {
  const pending = [...checkpoints].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  for (const checkpoint of pending) {
    const key = publicKeys.get(checkpoint.keyId);
    if (!key || !checkSignature(key, checkpointMessage({ chain, ...checkpoint }), checkpoint.signature)) {
      return { ok: false, chain, events: 0, brokenAt: checkpoint.seq, reason: `the checkpoint at event #${checkpoint.seq} is not signed by a known key (forged, or signed for another chain)` };
    }
  }
  let prevHash = GENESIS_HASH;
  let count = 0;
  let lastSeq = 0n;
  let next = 0;
  for await (const event of events) {
    if (next < pending.length && pending[next]!.seq < event.seq) {
      return { ok: false, chain, events: count, brokenAt: pending[next]!.seq, reason: 'a signed checkpoint names this event, which is missing (removed)' };
    }
    if (event.prevHash !== prevHash) return { ok: false, chain, events: count, brokenAt: event.seq, reason: 'does not link to the event before it (an event was removed or reordered)' };
    if (hashAuditEvent(prevHash, event) !== event.hash) return { ok: false, chain, events: count, brokenAt: event.seq, reason: 'its contents were changed after it was written' };
    if (event.number !== undefined && event.number !== BigInt(count + 1)) return { ok: false, chain, events: count, brokenAt: event.seq, reason: `it is numbered ${event.number}, not ${count + 1} (renumbered)` };
    if (next < pending.length && pending[next]!.seq === event.seq) {
      if (pending[next]!.hash !== event.hash) return { ok: false, chain, events: count, brokenAt: event.seq, reason: 'differs from the signed checkpoint of this event' };
      next++;
    }
    prevHash = event.hash;
    lastSeq = event.seq;
    count++;
  }
  if (next < pending.length) {
    return { ok: false, chain, events: count, brokenAt: lastSeq + 1n, reason: `events after #${lastSeq} were removed: a signed checkpoint names event #${pending[next]!.seq}` };
  }
  return { ok: true, chain, events: count, headHash: prevHash, checkpoints: pending.length };
}

/** A chain's events from the database, in order, in batches. */
export async function* chainEvents(prisma: PrismaClient, chain: string): AsyncGenerator<ChainEvent> {
  let after: bigint | undefined;
  for (;;) {
    const batch = await prisma.auditEvent.findMany({ where: { chain, ...(after === undefined ? {} : { seq: { gt: after } }) }, orderBy: { seq: 'asc' }, take: 1_000 });
    yield* batch;
    if (batch.length < 1_000) return;
    after = batch[batch.length - 1]!.seq;
  }
}

/** Verifies one chain as stored, with its signed checkpoints. */
export async function verifyAuditChain(prisma: PrismaClient, { chain, publicKeys }: { chain: string; publicKeys: Map<string, KeyObject> }): Promise<AuditChainReport> {
  const checkpoints = await prisma.auditCheckpoint.findMany({ where: { chain }, select: { seq: true, hash: true, signedAt: true, keyId: true, signature: true } });
  return checkChain(chain, chainEvents(prisma, chain), checkpoints, publicKeys);
}

/** Verifies every chain in the database (organizations', the platform's and the pre-chain "global" one). */
export async function verifyAllAuditChains(prisma: PrismaClient, publicKeys: Map<string, KeyObject>): Promise<AuditChainReport[]> {
  const heads = await prisma.auditHead.findMany({ select: { chain: true }, orderBy: { chain: 'asc' } });
  const reports: AuditChainReport[] = [];
  for (const { chain } of heads) reports.push(await verifyAuditChain(prisma, { chain, publicKeys }));
  return reports;
}
