import 'server-only';
import { ZCredentialWatch, type TCredentialWatch } from '@/lib/schemas/organization-settings';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * Sets who owns a credential (told of its expiry and failures besides the administrators: an active
 * member of the organization) and how often the scheduler tests it. A new interval starts with a
 * test at the scheduler's next run. No secret is touched, so no step-up.
 */
export async function setCredentialWatch({ prisma }: Pick<Services, 'prisma'>, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialWatch }): Promise<Result<null>> {
  const parsed = ZCredentialWatch.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) =>
    recordRefusal(prisma, { actor, organizationId, action: 'credential.watch', target: parsed.success ? { type: 'Credential', id: parsed.data.credentialId } : null, failure: failure.error });
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields; nothing was changed.', fieldErrorsOf(parsed.error)));
  const { credentialId, ownerId, testEveryHours } = parsed.data;
  const credential = await prisma.credential.findFirst({ where: { id: credentialId, organizationId, deletedAt: null }, select: { testEveryHours: true, ownerId: true } });
  if (!credential) return refuse(fail('NOT_FOUND', 'This credential does not exist.'));
  if (ownerId && !(await prisma.user.count({ where: { id: ownerId, organizationId, disabledAt: null } }))) {
    return refuse(fail('VALIDATION', 'Check the highlighted fields; nothing was changed.', { ownerId: ['Choose an active member of your organization'] }));
  }
  await prisma.$transaction(async (tx) => {
    await tx.credential.update({
      where: { id: credentialId },
      data: { ownerId, testEveryHours, ...(testEveryHours !== credential.testEveryHours ? { nextTestAt: null } : {}) },
    });
    await appendAuditEvent(tx, { actor, action: 'credential.watch', target: { type: 'Credential', id: credentialId }, organizationId, outcome: 'SUCCESS', details: { ownerId, testEveryHours } });
  });
  return ok(null);
}
