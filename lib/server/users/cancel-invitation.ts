import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { now } from '@/lib/server/clock';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { Prisma } from '@/prisma/generated/client';

/** Withdraws an invitation that has not been accepted: its link stops working at once. */
export async function cancelInvitation(
  { prisma }: Pick<Services, 'prisma'>,
  { actor, organizationId, inviteId }: { actor: Actor; organizationId: string; inviteId: string },
): Promise<Result<null>> {
  const cancelled = await prisma.$transaction(async (tx) => {
    const { count } = await tx.oneTimeLink.updateMany({
      where: { id: inviteId, organizationId, purpose: 'INVITE', usedAt: null, cancelledAt: null },
      data: { cancelledAt: now() },
    });
    if (count === 1) await appendAuditEvent(tx, { actor, action: 'user.invite_cancel', target: { type: 'OneTimeLink', id: inviteId }, organizationId, outcome: 'SUCCESS' });
    return count === 1;
  });
  if (cancelled) return ok(null);
  return recordRefusal(prisma, { actor, organizationId, action: 'user.invite_cancel', failure: fail('NOT_FOUND', 'That invitation is accepted, cancelled or unknown.').error });
}

/**
 * Ends the open invitations an administrator sent, when they stop being one (deactivated or
 * demoted): an invitation speaks with its issuer's authority, so it must not outlive it. Runs in
 * the transaction of that change; returns how many it cancelled, for its audit event.
 */
export async function cancelInvitationsIssuedBy(tx: Prisma.TransactionClient, { issuerId }: { issuerId: string }): Promise<number> {
  const { count } = await tx.oneTimeLink.updateMany({ where: { createdById: issuerId, purpose: 'INVITE', usedAt: null, cancelledAt: null }, data: { cancelledAt: now() } });
  return count;
}
