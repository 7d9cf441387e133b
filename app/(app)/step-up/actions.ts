'use server';

import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ZStepUp, ZStepUpPurpose } from '@/lib/schemas/step-up';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireUser } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { fieldErrorsOf } from '@/lib/server/result';
import { grantStepUpWithPasskey, passkeyStepUpOptions } from '@/lib/server/passkeys/passkey-step-up';
import { stepUpMethods } from '@/lib/server/passkeys/step-up-methods';
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

/** How this user may confirm `purpose`: whether they have passkeys, and whether a code is refused. */
export async function stepUpMethodsAction(input: { purpose: string }): Promise<ActionResult<{ passkeys: number; passkeyRequired: boolean }>> {
  const user = await requireUser();
  const purpose = ZStepUpPurpose.safeParse(input?.purpose);
  if (!purpose.success) return { ok: false, formError: 'Unknown purpose.' };
  return { ok: true, data: await stepUpMethods(await services(), { userId: user.id, purpose: purpose.data }) };
}

/** A challenge for one of the user's passkeys, bound to this session and purpose. */
export async function passkeyStepUpOptionsAction(input: { purpose: string }): Promise<ActionResult<PublicKeyCredentialRequestOptionsJSON>> {
  const user = await requireUser();
  const purpose = ZStepUpPurpose.safeParse(input?.purpose);
  if (!purpose.success) return { ok: false, formError: 'Unknown purpose.' };
  if (!user.totpEnabled) return { ok: false, code: 'TWO_FACTOR_REQUIRED', formError: 'Set up two-factor authentication first.' };
  return toActionResult(await passkeyStepUpOptions(await services(), { user, sessionId: user.sessionId, purpose: purpose.data }));
}

/** Checks a passkey's answer and grants a step-up for one purpose in this session. */
export async function passkeyStepUpAction(input: { purpose: string; response: unknown }): Promise<ActionResult<{ expiresAt: Date }>> {
  const user = await requireUser();
  const purpose = ZStepUpPurpose.safeParse(input?.purpose);
  if (!purpose.success) return { ok: false, formError: 'Unknown purpose.' };
  if (!user.totpEnabled) return { ok: false, code: 'TWO_FACTOR_REQUIRED', formError: 'Set up two-factor authentication first.' };
  const result = await grantStepUpWithPasskey(await services(), {
    user,
    sessionId: user.sessionId,
    purpose: purpose.data,
    response: input?.response,
    actor: await requestActor(user),
  });
  return toActionResult(result);
}
