'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { ZAcceptInvite, ZLinkToken, type TAcceptInvite } from '@/lib/schemas/accounts';
import { requestOrigin } from '@/lib/server/auth/request-actor';
import { fieldErrorsOf } from '@/lib/server/result';
import { services } from '@/lib/server/services';
import { toActionResult } from '@/lib/server/to-action-result';
import { acceptInvitation, readInvitation } from '@/lib/server/users/accept-invitation';

/** Joins through an invitation link; the form signs the new user in afterwards. */
export async function acceptInvitationAction(input: TAcceptInvite): Promise<ActionResult<{ email: string; role: string }>> {
  const v = await services();
  const token = ZLinkToken.safeParse(input.token);
  const invitation = token.success ? await readInvitation(v, token.data) : null;
  // Checked again (and used) in one transaction by acceptInvitation; this read gives the address the password must differ from.
  const parsed = ZAcceptInvite(invitation?.email ?? '').safeParse(input);
  if (!parsed.success) {
    const { token: badToken, ...fieldErrors } = fieldErrorsOf(parsed.error);
    return { ok: false, formError: badToken ? 'This invitation link is not valid.' : 'Check the highlighted fields.', fieldErrors };
  }
  return toActionResult(await acceptInvitation(v, { ...parsed.data, request: await requestOrigin() }));
}
