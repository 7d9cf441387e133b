import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { reauthenticate } from '@/lib/server/auth/reauthenticate';
import type { Services } from '@/lib/server/services';
import { fail, ok, type Result } from '@/lib/server/result';
import { beginPendingEnrollment } from '@/lib/server/step-up/pending-enrollment';

/**
 * Starts the first enrollment of a user without two-factor. It asks for the password, so whoever
 * holds a new user's session before they enrol cannot bind their own authenticator to the account.
 * (Replacing an enrolled authenticator goes through `changeTwoFactor`, which also asks for a code.)
 */
export async function startEnrollment(
  services: Services,
  { user, password, actor }: { user: { id: string; organizationId: string; email: string; sessionId?: string }; password: string; actor: Actor },
): Promise<Result<null>> {
  const { totpEnabledAt } = await services.prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { totpEnabledAt: true } });
  if (totpEnabledAt) return fail('INVALID_STATE', 'Two-factor is already on. To move to a new phone, use "Replace authenticator".');
  const checked = await reauthenticate(services.prisma, { user, password, actor, action: 'totp.enroll_start', orProviderSignIn: true });
  if (!checked.ok) return checked;
  await services.prisma.$transaction(async (tx) => {
    await beginPendingEnrollment(tx, services.keyring, user);
    await appendAuditEvent(tx, { actor, action: 'totp.enroll_start', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS' });
  });
  return ok(null);
}
