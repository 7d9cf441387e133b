'use server';

import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ZChangePassword, type TChangePassword } from '@/lib/schemas/accounts';
import { ZReauthenticateInput, ZStartEnrollmentInput, ZStepUp } from '@/lib/schemas/step-up';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireUser } from '@/lib/server/auth/session';
import { passkeyRegistrationOptions, registerPasskey, removePasskey } from '@/lib/server/passkeys/passkeys';
import { services } from '@/lib/server/services';
import { fieldErrorsOf } from '@/lib/server/result';
import { changeTwoFactor } from '@/lib/server/step-up/change-two-factor';
import { confirmEnrollment } from '@/lib/server/step-up/confirm-enrollment';
import { startEnrollment } from '@/lib/server/step-up/start-enrollment';
import { toActionResult } from '@/lib/server/to-action-result';
import { changePassword } from '@/lib/server/users/change-password';
import { endOtherSessions } from '@/lib/server/users/end-other-sessions';
import { setDailyDigest } from '@/lib/server/users/set-daily-digest';

/** Password (or a recent sign-in through the provider), then a new authenticator key to scan (first enrollment). */
export async function startEnrollmentAction(input: { password: string }): Promise<ActionResult<null>> {
  const user = await requireUser();
  const parsed = ZStartEnrollmentInput.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  const result = await startEnrollment(await services(), { user, password: parsed.data.password, actor: await requestActor(user) });
  revalidatePath('/settings/security');
  return toActionResult(result);
}

/** Confirms the pending authenticator with a code from it; returns the recovery codes, once. */
export async function confirmEnrollmentAction(input: { code: string }): Promise<ActionResult<{ recoveryCodes: string[] }>> {
  const user = await requireUser();
  const parsed = ZStepUp.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Check the code.', fieldErrors: fieldErrorsOf(parsed.error) };
  // No revalidation here: the page would re-render without the form that shows the codes. The
  // "I have saved them" button refreshes it.
  const result = await confirmEnrollment(await services(), { user, code: input.code, actor: await requestActor(user) });
  return toActionResult(result);
}

/** Password and a current code, then turn two-factor off or start replacing the authenticator. */
export async function changeTwoFactorAction(input: { password: string; code: string; then: 'remove' | 'reenroll' }): Promise<ActionResult<null>> {
  const user = await requireUser();
  const parsed = ZReauthenticateInput.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  const then = input.then === 'remove' ? 'remove' : 'reenroll';
  const result = await changeTwoFactor(await services(), { user, password: parsed.data.password, code: parsed.data.code, actor: await requestActor(user), then });
  revalidatePath('/settings/security');
  return toActionResult(result);
}

/** The user's own new password, with the current one; their other sessions end. */
export async function changePasswordAction(input: TChangePassword): Promise<ActionResult<{ sessionsEnded: number }>> {
  const user = await requireUser();
  const parsed = ZChangePassword(user.email).safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  const result = await changePassword(await services(), { user, ...parsed.data, actor: await requestActor(user) });
  revalidatePath('/settings/security');
  return toActionResult(result);
}

/** Signs the user out of every other device. */
export async function endOtherSessionsAction(): Promise<ActionResult<{ sessionsEnded: number }>> {
  const user = await requireUser();
  const sessionsEnded = await endOtherSessions(await services(), { user, actor: await requestActor(user) });
  revalidatePath('/settings/security');
  return { ok: true, data: { sessionsEnded } };
}

/** Turns one's own daily digest mail on or off. */
export async function setDailyDigestAction(input: { enabled: boolean }): Promise<ActionResult<null>> {
  const user = await requireUser();
  await setDailyDigest(await services(), { actor: await requestActor(user), userId: user.id, organizationId: user.organizationId, enabled: input?.enabled === true });
  revalidatePath('/settings/security');
  return { ok: true, data: null };
}

/** A challenge to create a passkey with, behind the `passkeys` step-up. */
export async function passkeyRegistrationOptionsAction(): Promise<ActionResult<PublicKeyCredentialCreationOptionsJSON>> {
  const user = await requireUser();
  return toActionResult(await passkeyRegistrationOptions(await services(), { user, actor: await requestActor(user) }));
}

/** Keeps the browser's new passkey under its name. */
export async function registerPasskeyAction(input: { name: string; response: unknown }): Promise<ActionResult<{ id: string }>> {
  const user = await requireUser();
  const result = await registerPasskey(await services(), { user, actor: await requestActor(user), input });
  revalidatePath('/settings/security');
  return toActionResult(result);
}

/** Removes one of one's passkeys, behind the `passkeys` step-up. */
export async function removePasskeyAction(input: { passkeyId: string }): Promise<ActionResult<null>> {
  const user = await requireUser();
  const result = await removePasskey(await services(), { user, actor: await requestActor(user), input });
  revalidatePath('/settings/security');
  return toActionResult(result);
}
