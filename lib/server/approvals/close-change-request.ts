import 'server-only';
import { CHANGE_KINDS, CHANGE_STATUSES } from '@/lib/schemas/governance';
import { requestOwner } from '@/lib/server/approvals/request-change';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import type { fail } from '@/lib/server/result';
import { now } from '@/lib/server/clock';
import { deleteSecrets } from '@/lib/server/crypto/sealed-secrets';
import { raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import type { ChangeRequestStatus, Prisma, PrismaClient } from '@/prisma/generated/client';

type Closing = Exclude<ChangeRequestStatus, 'PENDING'>;

const ACTIONS: Record<Closing, string> = {
  APPLIED: 'change_request.approve',
  REJECTED: 'change_request.reject',
  WITHDRAWN: 'change_request.withdraw',
  EXPIRED: 'change_request.expire',
  STALE: 'change_request.stale',
};

/**
 * Moves a pending request to `to` in the caller's transaction, if it is still pending (one
 * conditional update: of two deciders only one wins; false for the other), destroys the secrets
 * sealed to it, audits the decision and tells the requester (unless they decided it themselves).
 */
export async function closeChangeRequest(
  tx: Prisma.TransactionClient,
  {
    request,
    to: status,
    actor,
    reason,
    credentialId,
  }: { request: { id: string; organizationId: string }; to: Closing; actor: Actor; reason?: string; /** The credential a CREATE is about to make. */ credentialId?: string },
): Promise<boolean> {
  const at = now();
  const { count } = await tx.changeRequest.updateMany({
    where: { id: request.id, status: 'PENDING' },
    data: { status, decidedAt: at, decidedById: actor.type === 'USER' ? (actor.id ?? null) : null, decidedBy: actor.label ?? null, reason: reason ?? null },
  });
  if (count === 0) return false;
  const row = await tx.changeRequest.findUniqueOrThrow({
    where: { id: request.id },
    select: { kind: true, credentialId: true, requestedById: true, requestedBy: true, payload: true, credential: { select: { label: true } } },
  });
  // Applied: the values were moved by the change itself, in this transaction.
  await deleteSecrets(tx, requestOwner(request));
  await appendAuditEvent(tx, {
    actor,
    action: ACTIONS[status],
    target: (credentialId ?? row.credentialId) ? { type: 'Credential', id: (credentialId ?? row.credentialId)! } : { type: 'ChangeRequest', id: request.id },
    organizationId: request.organizationId,
    outcome: 'SUCCESS',
    details: { changeRequest: request.id, kind: row.kind, requestedBy: row.requestedBy, ...(reason ? { reason } : {}) },
  });
  if (actor.id !== row.requestedById) {
    const requester = await tx.user.findFirst({ where: { id: row.requestedById, disabledAt: null }, select: { email: true } });
    await raiseNotifications(tx, [
      {
        organizationId: request.organizationId,
        credentialId: row.credentialId,
        event: 'change_request.decided',
        dedupeKey: `change_request.decided:${request.id}`,
        data: {
          changeRequestId: request.id,
          kind: row.kind,
          kindLabel: CHANGE_KINDS[row.kind],
          decision: CHANGE_STATUSES[status],
          decidedBy: actor.label ?? 'Strongroom',
          reason: reason ?? null,
          credentialLabel: row.credential?.label ?? String((row.payload as Record<string, unknown>).label ?? ''),
        },
        mailTo: requester ? [requester.email] : [],
      },
    ]);
  }
  return true;
}

/** Audits a refused decision on a request (outcome DENIED) and returns the failure to show. */
export const refuseRequest = (prisma: PrismaClient, actor: Actor, organizationId: string, action: string, requestId: string | undefined, failure: ReturnType<typeof fail>) =>
  recordRefusal(prisma, { actor, organizationId, action, target: requestId ? { type: 'ChangeRequest', id: requestId } : null, failure: failure.error });

/** Expires pending requests past their deadline (housekeeping; an approval after the deadline closes its request too). */
export async function expireChangeRequests(prisma: PrismaClient, actor: Actor): Promise<number> {
  const due = await prisma.changeRequest.findMany({ where: { status: 'PENDING', expiresAt: { lte: now() } }, select: { id: true, organizationId: true }, take: 500 });
  let expired = 0;
  for (const request of due) if (await prisma.$transaction((tx) => closeChangeRequest(tx, { request, to: 'EXPIRED', actor }))) expired++;
  return expired;
}
