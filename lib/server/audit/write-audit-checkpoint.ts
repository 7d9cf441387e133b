import 'server-only';
import { now as currentTime } from '@/lib/server/clock';
import { checkpointMessage, currentAuditSigningKey, signCheckpoint } from '@/lib/server/crypto/audit-signing-key';
import type { Keyring } from '@/lib/server/crypto/keyring';
import type { Services } from '@/lib/server/services';
import type { PrismaClient } from '@/prisma/generated/client';

/**
 * Signs the head of a chain (its newest event's number and hash) with the current audit signing key,
 * unless the newest checkpoint already names that event. Returns the checkpointed event's number,
 * or null for a chain with no events.
 */
export async function writeAuditCheckpoint(prisma: PrismaClient, keyring: Keyring, { chain, now = currentTime() }: { chain: string; now?: Date }): Promise<bigint | null> {
  const head = await prisma.auditEvent.findFirst({ where: { chain }, orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  if (!head) return null;
  const last = await prisma.auditCheckpoint.findFirst({ where: { chain }, orderBy: { seq: 'desc' }, select: { seq: true } });
  if (last?.seq === head.seq) return head.seq;
  const key = await currentAuditSigningKey(prisma, keyring);
  const signedAt = new Date(Math.floor(now.getTime()));
  await prisma.auditCheckpoint.create({
    data: { chain, seq: head.seq, hash: head.hash, signedAt, keyId: key.keyId, signature: signCheckpoint(key, checkpointMessage({ chain, seq: head.seq, hash: head.hash, signedAt })) },
  });
  return head.seq;
}

/** A checkpoint of every chain that has new events since its last one. */
export async function signAllChains({ prisma, keyring }: Services): Promise<void> {
  for (const { chain } of await prisma.auditHead.findMany({ select: { chain: true } })) await writeAuditCheckpoint(prisma, keyring, { chain });
}
