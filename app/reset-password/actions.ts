'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { ZLinkToken, ZResetPassword } from '@/lib/schemas/accounts';
import { requestOrigin } from '@/lib/server/auth/request-actor';
import { fieldErrorsOf } from '@/lib/server/result';
import { services } from '@/lib/server/services';
import { toActionResult } from '@/lib/server/to-action-result';
import { readPasswordReset, resetPassword } from '@/lib/server/users/reset-password';

const NOT_VALID = 'This reset link is not valid: it is used, replaced, expired or mistyped. Ask your administrator for a new one.';

/** A new password through an administrator's reset link. */
export async function resetPasswordAction(input: { token: string; password: string; repeatPassword: string }): Promise<ActionResult<{ email: string }>> {
  const v = await services();
  const token = ZLinkToken.safeParse(input.token);
  // The address the password must differ from; the link is checked again, and used, by resetPassword.
  const reset = token.success ? await readPasswordReset(v, token.data) : null;
  const parsed = ZResetPassword(reset?.email ?? '').safeParse(input);
  if (!parsed.success) {
    const { token: badToken, ...fieldErrors } = fieldErrorsOf(parsed.error);
    return { ok: false, formError: badToken ? NOT_VALID : 'Check the highlighted fields.', fieldErrors };
  }
  return toActionResult(await resetPassword(v, { ...parsed.data, request: await requestOrigin() }));
}
