import 'server-only';
import { ZApprovalPolicy, type TApprovalPolicy } from '@/lib/schemas/governance';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { Environment } from '@/prisma/generated/client';
import { needsSecondAdministrator, requestAdministration } from '@/lib/server/approvals/admin-standing';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';

/** The organization's four-eyes policy: on or off, how long a request waits, how long a previous version is kept. */
export async function getApprovalPolicy({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  return prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { requireApproval: true, approvalHours: true, rollbackDays: true } });
}

/** Active administrators of the organization: with one, nobody can approve a request. */
export const countAdministrators = ({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) =>
  prisma.user.count({ where: { organizationId, role: 'ADMIN', disabledAt: null } });

/** What a form tells before a production change: whether it will wait, and whether anyone could approve it. */
export async function approvalOutlook(services: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  const [policy, administrators] = await Promise.all([getApprovalPolicy(services, { organizationId }), countAdministrators(services, { organizationId })]);
  return { required: policy.requireApproval, administrators };
}

/** Whether a change to a credential in `environment` waits for a second administrator. */
export async function needsApproval(services: Pick<Services, 'prisma'>, { organizationId, environment }: { organizationId: string; environment: Environment }): Promise<boolean> {
  return environment === 'PRODUCTION' && (await getApprovalPolicy(services, { organizationId })).requireApproval;
}

/**
 * Saves the policy (administrators, behind a step-up), audited with what it was and what it became.
 * Turning it off while another administrator could approve is itself a request they approve: one
 * administrator alone cannot switch the second pair of eyes off.
 */
export async function setApprovalPolicy(
  services: Pick<Services, 'prisma'>,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TApprovalPolicy },
): Promise<Result<null | ApprovalRequested>> {
  const { prisma } = services;
  const parsed = ZApprovalPolicy.safeParse(input);
  if (!parsed.success) {
    const refused = fail('VALIDATION', 'Check the highlighted fields; nothing was changed.', fieldErrorsOf(parsed.error));
    return recordRefusal(prisma, { actor, action: 'organization.approval_policy', organizationId, target: { type: 'Organization', id: organizationId }, failure: refused.error });
  }
  const current = await getApprovalPolicy(services, { organizationId });
  if (current.requireApproval && !parsed.data.requireApproval && (await needsSecondAdministrator(prisma, { organizationId, actorId: actor.id }))) {
    return requestAdministration(services, {
      actor,
      organizationId,
      kind: 'APPROVAL_POLICY',
      subject: 'Four-eyes approval',
      payload: { policy: parsed.data },
      target: 'Turn four-eyes approval off',
      action: 'organization.approval_policy',
      refusalTarget: { type: 'Organization', id: organizationId },
    });
  }
  await prisma.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { requireApproval: true } });
    await tx.organization.update({ where: { id: organizationId }, data: parsed.data });
    await appendAuditEvent(tx, {
      actor,
      action: 'organization.approval_policy',
      target: { type: 'Organization', id: organizationId },
      organizationId,
      outcome: 'SUCCESS',
      details: { requireApprovalBefore: before.requireApproval, ...parsed.data },
    });
  });
  return ok(null);
}
