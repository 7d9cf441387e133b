import 'server-only';
import { ZExpiryLeadDays } from '@/lib/expiry';
import { ZOrganizationSettings, type TOrganizationSettings } from '@/lib/schemas/organization-settings';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/** The organization's time zone and lead times (profiles not set use 30 days). */
export async function getOrganizationSettings({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  const row = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { timeZone: true, expiryLeadDays: true } });
  return { timeZone: row.timeZone, expiryLeadDays: ZExpiryLeadDays.catch({}).parse(row.expiryLeadDays) };
}

/** Saves the settings, refusing (and auditing) bad values with the field they belong to; nothing is changed then. */
export async function saveOrganizationSettings(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TOrganizationSettings },
): Promise<Result<null>> {
  const parsed = ZOrganizationSettings.safeParse(input);
  if (!parsed.success) {
    const refused = fail('VALIDATION', 'Check the highlighted fields; nothing was changed.', fieldErrorsOf(parsed.error));
    return recordRefusal(prisma, { actor, action: 'organization.settings', organizationId, target: { type: 'Organization', id: organizationId }, failure: refused.error });
  }
  await prisma.$transaction(async (tx) => {
    await tx.organization.update({ where: { id: organizationId }, data: parsed.data });
    await appendAuditEvent(tx, { actor, action: 'organization.settings', target: { type: 'Organization', id: organizationId }, organizationId, outcome: 'SUCCESS', details: { timeZone: parsed.data.timeZone, expiryLeadDays: JSON.stringify(parsed.data.expiryLeadDays) } });
  });
  return ok(null);
}
