'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { ZStepUp, ZStepUpPurpose } from '@/lib/schemas/step-up';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireUser } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { fieldErrorsOf } from '@/lib/server/result';
import { grantStepUp } from '@/lib/server/step-up/grant-step-up';
import { toActionResult } from '@/lib/server/to-action-result';

/** Checks a code and grants a step-up for one purpose in this session. */
export async function stepUpAction(input: { purpose: string; code: string }): Promise<ActionResult<{ expiresAt: Date }>> {
  const user = await requireUser();
  const purpose = ZStepUpPurpose.safeParse(input?.purpose);
  const parsed = ZStepUp.safeParse({ code: input?.code });
  if (!purpose.success) return { ok: false, formError: 'Unknown purpose.' };
  if (!user.totpEnabled) return { ok: false, code: 'TWO_FACTOR_REQUIRED', formError: 'Set up two-factor authentication first.' };
  if (!parsed.success) return { ok: false, formError: 'Check the code.', fieldErrors: fieldErrorsOf(parsed.error) };
  const result = await grantStepUp(await services(), {
    user,
    sessionId: user.sessionId,
    purpose: purpose.data,
    code: input.code,
    actor: await requestActor(user),
  });
  return toActionResult(result);
}
