import 'server-only';
import type { z } from 'zod';
import type { ZLegalEntity } from '@/lib/schemas/legal-entity';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { Prisma } from '@/prisma/generated/client';

type Entity = z.output<typeof ZLegalEntity>;

/**
 * Creates a legal entity (no `legalEntityId`) or changes one of the organization's. A tax id is
 * unique within the organization: a second entity with it is refused, naming the one that has it.
 */
export async function saveLegalEntity(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, legalEntityId, entity }: { actor: Actor; organizationId: string; legalEntityId?: string; entity: Entity },
): Promise<Result<{ id: string }>> {
  const action = legalEntityId ? 'entity.update' : 'entity.create';
  const refuse = (failure: ReturnType<typeof fail>['error']) =>
    recordRefusal(prisma, { actor, organizationId, action, target: legalEntityId ? { type: 'LegalEntity', id: legalEntityId } : null, failure });
  const holder = await prisma.legalEntity.findUnique({ where: { organizationId_taxId: { organizationId, taxId: entity.taxId } }, select: { id: true, name: true } });
  if (holder && holder.id !== legalEntityId) return refuse(duplicate(entity.taxId, holder.name));
  try {
    const data = { name: entity.name, country: entity.country, taxId: entity.taxId, externalRef: entity.externalRef || null };
    const id = await prisma.$transaction(async (tx) => {
      const before = legalEntityId ? await tx.legalEntity.findFirst({ where: { id: legalEntityId, organizationId } }) : null;
      if (legalEntityId && !before) return null;
      const row = before
        ? await tx.legalEntity.update({ where: { id: before.id }, data, select: { id: true } })
        : await tx.legalEntity.create({ data: { ...data, organizationId }, select: { id: true } });
      const changed = (['name', 'country', 'taxId', 'externalRef'] as const).filter((field) => !before || before[field] !== data[field]);
      await appendAuditEvent(tx, { actor, action, target: { type: 'LegalEntity', id: row.id }, organizationId, outcome: 'SUCCESS', details: { fields: changed, country: entity.country } });
      return row.id;
    });
    if (!id) return refuse(fail('NOT_FOUND', 'No such legal entity in your organization.').error);
    return ok({ id });
  } catch (error) {
    // Another request took the tax id between the check and the write.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return refuse(duplicate(entity.taxId, 'another entity'));
    throw error;
  }
}

const duplicate = (taxId: string, holder: string) => {
  const message = `${holder} already has the tax id ${taxId}.`;
  return fail('CONFLICT', message, { taxId: [message] }).error;
};
