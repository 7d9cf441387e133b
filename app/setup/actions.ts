'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { ZSetup, type TSetup } from '@/lib/schemas/accounts';
import { requestOrigin } from '@/lib/server/auth/request-actor';
import { fieldErrorsOf } from '@/lib/server/result';
import { services } from '@/lib/server/services';
import { completeSetup } from '@/lib/server/setup/complete-setup';
import { toActionResult } from '@/lib/server/to-action-result';

/** First run: creates the organization and its first administrator with the setup link's token. */
export async function completeSetupAction(input: TSetup): Promise<ActionResult<{ email: string }>> {
  const parsed = ZSetup.safeParse(input);
  if (!parsed.success) {
    const { token, ...fieldErrors } = fieldErrorsOf(parsed.error);
    return { ok: false, formError: token ? 'This setup link is not valid.' : 'Check the highlighted fields.', fieldErrors };
  }
  return toActionResult(await completeSetup(await services(), parsed.data, await requestOrigin()));
}
