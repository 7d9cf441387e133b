import 'server-only';
import { requestChange, type ApprovalRequested } from '@/lib/server/approvals/request-change';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { Prisma } from '@/prisma/generated/client';

type Db = Pick<Services, 'prisma'>['prisma'] | Prisma.TransactionClient;

/**
 * Whether making an administrator (turning the approval policy off, crypto-shredding) needs a second administrator:
 * the organization requires approval and has another active administrator than `actorId` who could
 * give it. A lone administrator acts alone: nobody else could approve, and choosing the second
 * administrator is where every organization's trust starts.
 */
export async function needsSecondAdministrator(prisma: Db, { organizationId, actorId }: { organizationId: string; actorId: string | null | undefined }): Promise<boolean> {
  const organization = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { requireApproval: true } });
  if (!organization.requireApproval) return false;
  return (await prisma.user.count({ where: { organizationId, role: 'ADMIN', disabledAt: null, ...(actorId ? { id: { not: actorId } } : {}) } })) > 0;
}

/**
 * Why `approverId` cannot be the second pair of eyes on a request made at `requestedAt`, or null.
 * An approval counts only from someone who was already an administrator, signing in with the
 * password and second factor they had, when the request was made: an administrator made, promoted
 * or reset during the request's life (by its requester or anyone) may be the requester's own
 * creation, so their approval would be one person approving twice.
 */
export async function approverRefusal(prisma: Db, { approverId, requestedAt }: { approverId: string; requestedAt: Date }): Promise<string | null> {
  const approver = await prisma.user.findUnique({ where: { id: approverId }, select: { adminSince: true, credentialsResetAt: true } });
  if (!approver) return 'Only an administrator can approve.';
  if (approver.adminSince && approver.adminSince.getTime() > requestedAt.getTime()) return 'You became an administrator after this request was made, so your approval cannot count as a second pair of eyes on it. Ask an administrator who was one before it.';
  if (approver.credentialsResetAt && approver.credentialsResetAt.getTime() > requestedAt.getTime()) {
    return 'Your password or two-factor was reset after this request was made, so your approval cannot count as a second pair of eyes on it. Ask another administrator.';
  }
  return null;
}

/**
 * Asks the other administrators to approve a change to who administers the organization, named by
 * `subject` (the address made an administrator, or the policy): refused, and audited as `action`,
 * while the same thing already waits for approval.
 */
export async function requestAdministration(
  services: Pick<Services, 'prisma'> & Partial<Pick<Services, 'keyring'>>,
  {
    actor,
    organizationId,
    kind,
    subject,
    payload,
    target,
    action,
    refusalTarget = null,
    secrets,
  }: {
    actor: Actor;
    organizationId: string;
    kind: 'ADMIN_GRANT' | 'APPROVAL_POLICY' | 'ORGANIZATION_SHRED' | 'SSO_CONNECTION';
    subject: string;
    payload: Prisma.InputJsonObject;
    /** What the request does, as the approvers read it. */
    target: string;
    action: string;
    refusalTarget?: { type: string; id: string } | null;
    /** New secret values, sealed under the request until it is decided. */
    secrets?: Record<string, string>;
  },
): Promise<Result<ApprovalRequested>> {
  const { prisma } = services;
  if (await prisma.changeRequest.findFirst({ where: { organizationId, kind, status: 'PENDING', payload: { path: ['label'], equals: subject } }, select: { id: true } })) {
    return recordRefusal(prisma, { actor, organizationId, action, target: refusalTarget, failure: fail('CONFLICT', `“${target}” waits for approval already (Approvals).`).error });
  }
  const { approvers, expiresAt } = await requestChange(services, { actor, organizationId, change: { kind, payload: { ...payload, label: subject }, label: subject, target, ...(secrets ? { secrets } : {}) } });
  return ok({ requested: true, approvers, expiresAt });
}
