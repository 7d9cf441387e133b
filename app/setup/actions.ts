'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { ZSetup, type TSetup } from '@/lib/schemas/accounts';
import { requestOrigin } from '@/lib/server/auth/request-actor';
import { fieldErrorsOf } from '@/lib/server/result';
import { env } from '@/lib/server/env';
import { services } from '@/lib/server/services';
import { completeSetup } from '@/lib/server/setup/complete-setup';
import { preconfigureSso } from '@/lib/server/sso/preconfigure-sso';
import { toActionResult } from '@/lib/server/to-action-result';

/** First run: creates the organization and its first administrator with the setup link's token. */
export async function completeSetupAction(input: TSetup): Promise<ActionResult<{ email: string }>> {
  const parsed = ZSetup.safeParse(input);
  if (!parsed.success) {
    const { token, ...fieldErrors } = fieldErrorsOf(parsed.error);
    return { ok: false, formError: token ? 'This setup link is not valid.' : 'Check the highlighted fields.', fieldErrors };
  }
  const v = await services();
  const result = await completeSetup(v, parsed.data, await requestOrigin());
  // A scripted install may have named this organization in SSO_*: it signs in through its provider from now on.
  if (result.ok) await preconfigureSso(v, env());
  return toActionResult(result);
}
