import 'server-only';
import { CHANGE_STATUSES, ZChangeRequestRef, ZRejectChangeRequest, type TChangeRequestRef, type TRejectChangeRequest } from '@/lib/schemas/governance';
import { closeChangeRequest, refuseRequest } from '@/lib/server/approvals/close-change-request';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * Rejects (another administrator, with a reason) or withdraws (the requester) a pending request:
 * nothing is changed, the sealed values are destroyed, the decision is audited.
 */
export async function rejectChangeRequest(
  { prisma }: Services,
  { actor, organizationId, input, withdraw = false }: { actor: Actor; organizationId: string; input: TRejectChangeRequest | TChangeRequestRef; withdraw?: boolean },
): Promise<Result<null>> {
  const action = withdraw ? 'change_request.withdraw' : 'change_request.reject';
  const parsed = withdraw ? ZChangeRequestRef.safeParse(input) : ZRejectChangeRequest.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) => refuseRequest(prisma, actor, organizationId, action, parsed.success ? parsed.data.requestId : undefined, failure);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const request = await prisma.changeRequest.findFirst({ where: { id: parsed.data.requestId, organizationId }, select: { id: true, organizationId: true, requestedById: true, status: true } });
  if (!request) return refuse(fail('NOT_FOUND', 'This change request does not exist.'));
  if (withdraw && request.requestedById !== actor.id) return refuse(fail('FORBIDDEN', 'Only the administrator who made a request can withdraw it; reject it instead.'));
  if (!withdraw && request.requestedById === actor.id) return refuse(fail('FORBIDDEN', 'You made this request: withdraw it instead of rejecting it.'));
  const reason = 'reason' in parsed.data ? String(parsed.data.reason) : undefined;
  const closed = request.status === 'PENDING' && (await prisma.$transaction((tx) => closeChangeRequest(tx, { request, to: withdraw ? 'WITHDRAWN' : 'REJECTED', actor, reason })));
  if (!closed) {
    const current = await prisma.changeRequest.findUniqueOrThrow({ where: { id: request.id }, select: { status: true } });
    return refuse(fail('INVALID_STATE', `This request was already ${CHANGE_STATUSES[current.status]}.`));
  }
  return ok(null);
}
