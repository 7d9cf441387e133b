import 'server-only';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { createDataKey, currentDataKey, dataKeyById } from '@/lib/server/crypto/data-keys';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { openString, sealedDataKeyId, sealString } from '@/lib/server/crypto/sealed-format';
import type { PrismaClient } from '@/prisma/generated/client';

export interface ResealResult {
  /** Version of the data key that now seals the organization's values. */
  version: number;
  resealed: number;
  /** True when this run finished a rotation an earlier (interrupted) run had started. */
  resumed: boolean;
  /** Values that did not open (left where they were, under their old key). */
  unreadable: string[];
}

/**
 * Re-encrypts an organization's sealed values under a new data key, in batches. Resumable: while any
 * value is still under an older key, a run continues that rotation instead of starting another.
 * Each value is replaced only if unchanged since it was read, so a concurrent edit is never lost.
 * Older data keys are destroyed once no value needs them.
 */
export async function resealOrganization(
  prisma: PrismaClient,
  keyring: Keyring,
  { organizationId, batchSize = 200, onProgress }: { organizationId: string; batchSize?: number; onProgress?: (done: number, total: number) => void },
): Promise<ResealResult> {
  let target = await currentDataKey(prisma, keyring, organizationId, 'DATA');
  const notOnTarget = () => ({ organizationId, dataKeyId: { not: target.id } });
  const resumed = (await prisma.sealedSecret.count({ where: notOnTarget() })) > 0;
  if (!resumed) target = await createDataKey(prisma, keyring, organizationId, 'DATA', target.version + 1);

  const total = await prisma.sealedSecret.count({ where: notOnTarget() });
  const unreadable: string[] = [];
  let done = 0;
  for (;;) {
    const batch = await prisma.sealedSecret.findMany({
      where: { ...notOnTarget(), id: { notIn: unreadable } },
      select: { id: true, ownerTable: true, ownerId: true, field: true, sealed: true },
      orderBy: { id: 'asc' },
      take: batchSize,
    });
    if (batch.length === 0) break;
    const replacements: { id: string; from: string; to: string }[] = [];
    for (const row of batch) {
      const context = { organizationId, table: row.ownerTable, rowId: row.ownerId, field: row.field };
      try {
        const plaintext = openString(await dataKeyById(prisma, keyring, sealedDataKeyId(row.sealed)), context, row.sealed);
        replacements.push({ id: row.id, from: row.sealed, to: sealString(target, context, plaintext) });
      } catch {
        unreadable.push(row.id);
      }
    }
    await prisma.$transaction(async (tx) => {
      for (const r of replacements) {
        await tx.sealedSecret.updateMany({ where: { id: r.id, sealed: r.from }, data: { sealed: r.to, dataKeyId: target.id } });
      }
    });
    done += batch.length;
    onProgress?.(Math.min(done, total), total);
  }

  await prisma.$transaction(async (tx) => {
    await tx.dataKey.deleteMany({ where: { organizationId, purpose: 'DATA', id: { not: target.id }, sealedSecrets: { none: {} } } });
    await appendAuditEvent(tx, {
      actor: SYSTEM_ACTOR,
      action: 'keys.reseal',
      organizationId,
      outcome: unreadable.length ? 'FAILURE' : 'SUCCESS',
      details: { version: target.version, resealed: done - unreadable.length, unreadable: unreadable.length, resumed },
    });
  });
  return { version: target.version, resealed: done - unreadable.length, resumed, unreadable };
}
