import 'server-only';
import { now } from '@/lib/server/clock';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { auditSigningWrapIdentity } from '@/lib/server/crypto/audit-signing-key';
import { unwrapDataKey, wrapDataKey } from '@/lib/server/crypto/data-keys';
import type { Keyring } from '@/lib/server/crypto/keyring';
import type { PrismaClient } from '@/prisma/generated/client';

/** How many data keys and audit signing keys are not yet wrapped under the current key-encryption key. */
export async function countStaleKeys(prisma: PrismaClient, keyring: Keyring): Promise<number> {
  const where = { kekId: { not: keyring.current.id } };
  const [dataKeys, signingKeys] = await Promise.all([prisma.dataKey.count({ where }), prisma.auditSigningKey.count({ where })]);
  return dataKeys + signingKeys;
}

/**
 * Rewraps the data keys (and audit signing keys) not yet under the current key-encryption key, all
 * or at most `limit` of them; returns how many it rewrapped. Cost grows with data keys (a few per
 * organization), not with secrets. Each key is one conditional update, so a run that is killed (or
 * races another) leaves every key wrapped under one KEK or the other, rewraps none twice, and the
 * next run finishes the rest.
 */
export async function rewrapDataKeys(
  prisma: PrismaClient,
  keyring: Keyring,
  { onProgress, limit }: { onProgress?: (done: number, total: number) => void; limit?: number } = {},
): Promise<number> {
  const where = { kekId: { not: keyring.current.id } };
  const stale = await prisma.dataKey.findMany({
    where,
    orderBy: { id: 'asc' },
    ...(limit ? { take: limit } : {}),
    select: { id: true, organizationId: true, purpose: true, version: true, kekId: true, wrappedKey: true },
  });
  // The audit signing keys are kept under the KEK the same way (audit-signing-key.ts).
  const room = limit === undefined ? undefined : limit - stale.length;
  const signing = room === 0 ? [] : await prisma.auditSigningKey.findMany({ where, orderBy: { id: 'asc' }, ...(room ? { take: room } : {}), select: { id: true, kekId: true, wrappedKey: true } });
  const total = stale.length + signing.length;
  let seen = 0;
  let rewrapped = { dataKeys: 0, signingKeys: 0 };
  // What was rewrapped is audited even when the provider fails part-way.
  try {
    for (const row of stale) {
      const wrapped = await wrapDataKey(keyring, row, await unwrapDataKey(keyring, row));
      const { count } = await prisma.dataKey.updateMany({ where: { id: row.id, wrappedKey: row.wrappedKey }, data: { ...wrapped, rewrappedAt: now() } });
      rewrapped = { ...rewrapped, dataKeys: rewrapped.dataKeys + count };
      onProgress?.(++seen, total);
    }
    for (const row of signing) {
      const identity = auditSigningWrapIdentity(row.id);
      const wrapped = await wrapDataKey(keyring, identity, await unwrapDataKey(keyring, { ...identity, ...row }));
      const { count } = await prisma.auditSigningKey.updateMany({ where: { id: row.id, wrappedKey: row.wrappedKey }, data: { ...wrapped, rewrappedAt: now() } });
      rewrapped = { ...rewrapped, signingKeys: rewrapped.signingKeys + count };
      onProgress?.(++seen, total);
    }
  } finally {
    if (rewrapped.dataKeys + rewrapped.signingKeys > 0) {
      await recordAuditEvent(prisma, { actor: SYSTEM_ACTOR, action: 'keys.rewrap', outcome: 'SUCCESS', details: { ...rewrapped, kekId: keyring.current.id } });
    }
  }
  const done = rewrapped.dataKeys + rewrapped.signingKeys;
  return done;
}
