import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { now } from '@/lib/server/clock';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * Archives a legal entity (its credentials stay sealed but are not served: the service API answers
 * ENTITY_ARCHIVED) or restores it. Archiving one with credentials in use asks first: without
 * `confirmed` it is refused with CONFIRMATION_REQUIRED and the number of such credentials.
 */
export async function archiveLegalEntity(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, legalEntityId, archive, confirmed }: { actor: Actor; organizationId: string; legalEntityId: string; archive: boolean; confirmed: boolean },
): Promise<Result<null>> {
  const action = archive ? 'entity.archive' : 'entity.restore';
  const target = { type: 'LegalEntity', id: legalEntityId };
  const entity = await prisma.legalEntity.findFirst({ where: { id: legalEntityId, organizationId }, select: { archivedAt: true } });
  if (!entity) return recordRefusal(prisma, { actor, organizationId, action, target, failure: fail('NOT_FOUND', 'No such legal entity in your organization.').error });
  if ((entity.archivedAt !== null) === archive) return ok(null);
  const active = archive ? await prisma.credential.count({ where: { legalEntityId, deletedAt: null, status: { in: ['ACTIVE', 'REFRESHING', 'NEEDS_ATTENTION'] } } }) : 0;
  if (active > 0 && !confirmed) {
    return fail(
      'CONFIRMATION_REQUIRED',
      `${active === 1 ? '1 credential of this entity is' : `${active} credentials of this entity are`} in use: once archived, services get no tokens for them. Archive anyway?`,
    );
  }
  await prisma.$transaction(async (tx) => {
    await tx.legalEntity.update({ where: { id: legalEntityId }, data: { archivedAt: archive ? now() : null } });
    await appendAuditEvent(tx, { actor, action, target, organizationId, outcome: 'SUCCESS', details: archive ? { activeCredentials: active } : {} });
  });
  return ok(null);
}
