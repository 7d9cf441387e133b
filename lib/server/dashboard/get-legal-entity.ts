import 'server-only';
import { now as currentTime } from '@/lib/server/clock';
import type { Services } from '@/lib/server/services';
import type { EntitySummary } from '@/lib/server/dashboard/get-organization-overview';
import { credentialSummarySelect, summarizeCredential } from '@/lib/server/dashboard/summarize-credential';

/** One legal entity of the organization with its credentials' status, or null. */
export async function getLegalEntity(
  { prisma }: Pick<Services, 'prisma'>,
  { organizationId, legalEntityId, now = currentTime() }: { organizationId: string; legalEntityId: string; now?: Date },
): Promise<(EntitySummary & { archivedAt: Date | null; externalRef: string | null }) | null> {
  const entity = await prisma.legalEntity.findFirst({
    where: { id: legalEntityId, organizationId },
    select: {
      id: true,
      name: true,
      taxId: true,
      country: true,
      archivedAt: true,
      externalRef: true,
      credentials: { where: { deletedAt: null }, orderBy: [{ environment: 'asc' }, { label: 'asc' }], select: credentialSummarySelect },
    },
  });
  return entity && { ...entity, credentials: entity.credentials.map((row) => summarizeCredential(row, now)) };
}
