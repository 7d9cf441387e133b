import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { redirect } from 'next/navigation';
import { ADMINS } from '@/lib/roles';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole, type CurrentUser } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';
import { fail, ok, type Result } from '@/lib/server/result';
import { hasStepUpGrant, useStepUpGrant } from '@/lib/server/step-up/grant-step-up';

/**
 * The gate in front of every server action that changes secrets: an ADMIN (others get a 403), with
 * two-factor set up, holding a step-up grant for this purpose in this session (which this use extends). Refusals are audited
 * and returned for the form to explain. The action must call this itself: a check on the page that
 * rendered the form does not protect the action, which anyone can POST to.
 */
export async function requireSecretChange(purpose: TStepUpPurpose): Promise<Result<CurrentUser>> {
  const user = await requireRole(ADMINS, purpose);
  const db = (await services()).prisma;
  const refusal = !user.totpEnabled
    ? fail('TWO_FACTOR_REQUIRED', 'Set up two-factor authentication (Settings → Security) before changing secrets.')
    : !(await useStepUpGrant(db, { userId: user.id, sessionId: user.sessionId, purpose }))
      ? fail('STEP_UP_REQUIRED', 'Confirm with a code from your authenticator app first. Nothing was changed.')
      : null;
  if (!refusal) return ok(user);
  const actor = await requestActor(user);
  await recordAuditEvent(db, { actor, action: 'step_up.required', organizationId: user.organizationId, outcome: 'DENIED', details: { purpose, reason: refusal.error.code } });
  return refusal;
}

/**
 * The same gate for pages that show a form changing secrets: without two-factor the user is sent to
 * set it up; without a grant, to the step-up page, which returns to `returnTo`.
 */
export async function requireSecretChangePage(purpose: TStepUpPurpose, returnTo: string): Promise<CurrentUser> {
  const user = await requireRole(ADMINS, purpose);
  if (!user.totpEnabled) redirect(`/settings/security?next=${encodeURIComponent(returnTo)}`);
  if (!(await hasStepUpGrant((await services()).prisma, { userId: user.id, sessionId: user.sessionId, purpose }))) {
    redirect(`/step-up?purpose=${purpose}&next=${encodeURIComponent(returnTo)}`);
  }
  return user;
}
