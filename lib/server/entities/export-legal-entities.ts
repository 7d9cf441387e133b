import 'server-only';
import { csvRecord } from '@/lib/csv';
import { CREDENTIAL_HEALTH } from '@/lib/credential-health';
import { credentialSummarySelect, summarizeCredential } from '@/lib/server/dashboard/summarize-credential';
import { now } from '@/lib/server/clock';
import type { Services } from '@/lib/server/services';

const HEADER = ['entity', 'country', 'tax_id', 'external_reference', 'entity_archived', 'credential', 'type', 'environment', 'status', 'expires_at', 'last_tested', 'last_test_outcome'];

/**
 * The organization's legal entities, one row per credential (status only: never a secret, a setting
 * or a fingerprint), an entity without credentials on a row of its own. UTF-8 with a byte-order mark,
 * so spreadsheets read the accents.
 */
export async function exportLegalEntities({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }): Promise<string> {
  const at = now();
  const entities = await prisma.legalEntity.findMany({
    where: { organizationId },
    orderBy: { name: 'asc' },
    select: {
      name: true,
      country: true,
      taxId: true,
      externalRef: true,
      archivedAt: true,
      credentials: { where: { deletedAt: null }, orderBy: [{ environment: 'asc' }, { label: 'asc' }], select: credentialSummarySelect },
    },
  });
  const rows = entities.flatMap((entity) => {
    const head = [entity.name, entity.country, entity.taxId, entity.externalRef ?? '', entity.archivedAt ? 'yes' : 'no'];
    if (entity.credentials.length === 0) return [[...head, '', '', '', '', '', '', '']];
    return entity.credentials.map((row) => {
      const credential = summarizeCredential(row, at);
      return [
        ...head,
        credential.label,
        credential.profileTitle,
        credential.environment.toLowerCase(),
        CREDENTIAL_HEALTH[credential.health],
        credential.expiresAt?.toISOString() ?? '',
        credential.lastTest?.startedAt.toISOString() ?? '',
        credential.lastTest?.outcome.toLowerCase() ?? '',
      ];
    });
  });
  return '\uFEFF' + [HEADER, ...rows].map(csvRecord).join('');
}
