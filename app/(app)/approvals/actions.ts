'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import type { TChangeRequestRef, TRejectChangeRequest } from '@/lib/schemas/governance';
import { ADMINS } from '@/lib/roles';
import { approveChangeRequest } from '@/lib/server/approvals/approve-change-request';
import { rejectChangeRequest } from '@/lib/server/approvals/reject-change-request';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { services } from '@/lib/server/services';
import { publicUrl } from '@/lib/server/env';
import { mailer } from '@/lib/server/mail/mailer';
import type { IssuedLink } from '@/lib/server/users/invite-user';
import { toActionResult } from '@/lib/server/to-action-result';

/**
 * Approves and applies a change request: another administrator than the requester, with their own
 * step-up. An approved invitation's link is shown once to the approver: the page is refreshed when
 * they close it (a refresh now would take the row, and the link with it, off the page).
 */
export async function approveChangeRequestAction(input: TChangeRequestRef): Promise<ActionResult<{ credentialId: string | null; invitation?: IssuedLink & { email: string } }>> {
  const result = await secretChangeAction('credentials', ({ services, actor, organizationId }) => approveChangeRequest(services, { actor, organizationId, input, links: { baseUrl: publicUrl(), mailer: mailer() } }));
  if (!(result.ok && result.data.invitation)) revalidatePath('/approvals');
  return result;
}

/** Rejects (another administrator, with a reason) or withdraws (the requester) a request; nothing changes, so no step-up. */
export async function closeChangeRequestAction(input: TRejectChangeRequest | (TChangeRequestRef & { withdraw: true })): Promise<ActionResult<null>> {
  const user = await requireRole(ADMINS, 'change_request.decide');
  const withdraw = (input as { withdraw?: unknown })?.withdraw === true;
  const result = await rejectChangeRequest(await services(), { actor: await requestActor(user), organizationId: user.organizationId, input, withdraw });
  revalidatePath('/approvals');
  return toActionResult(result);
}
