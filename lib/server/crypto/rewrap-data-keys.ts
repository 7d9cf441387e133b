import 'server-only';
import { now } from '@/lib/server/clock';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { auditSigningWrapIdentity } from '@/lib/server/crypto/audit-signing-key';
import { unwrapDataKey, wrapDataKey } from '@/lib/server/crypto/data-keys';
import type { Keyring } from '@/lib/server/crypto/keyring';
import type { PrismaClient } from '@/prisma/generated/client';

/**
 * Rewraps every data key (and audit signing key) not yet under the current key-encryption key. Cost grows with data keys
 * (a few per organization), not with secrets. Each key is one conditional update, so a run that is
 * killed leaves every key wrapped under one KEK or the other, and the next run finishes the rest.
 */
export async function rewrapDataKeys(
  prisma: PrismaClient,
  keyring: Keyring,
  { onProgress }: { onProgress?: (done: number, total: number) => void } = {},
): Promise<number> {
  const stale = await prisma.dataKey.findMany({
    where: { kekId: { not: keyring.current.id } },
    select: { id: true, organizationId: true, purpose: true, version: true, kekId: true, wrappedKey: true },
  });
  // The audit signing keys are kept under the KEK the same way (audit-signing-key.ts).
  const signing = await prisma.auditSigningKey.findMany({ where: { kekId: { not: keyring.current.id } }, select: { id: true, kekId: true, wrappedKey: true } });
  const total = stale.length + signing.length;
  let done = 0;
  for (const row of stale) {
    const wrapped = await wrapDataKey(keyring, row, await unwrapDataKey(keyring, row));
    await prisma.dataKey.updateMany({ where: { id: row.id, wrappedKey: row.wrappedKey }, data: { ...wrapped, rewrappedAt: now() } });
    onProgress?.(++done, total);
  }
  for (const row of signing) {
    const identity = auditSigningWrapIdentity(row.id);
    const wrapped = await wrapDataKey(keyring, identity, await unwrapDataKey(keyring, { ...identity, ...row }));
    await prisma.auditSigningKey.updateMany({ where: { id: row.id, wrappedKey: row.wrappedKey }, data: { ...wrapped, rewrappedAt: now() } });
    onProgress?.(++done, total);
  }
  if (total > 0) {
    await recordAuditEvent(prisma, { actor: SYSTEM_ACTOR, action: 'keys.rewrap', outcome: 'SUCCESS', details: { dataKeys: stale.length, signingKeys: signing.length, kekId: keyring.current.id } });
  }
  return total;
}
