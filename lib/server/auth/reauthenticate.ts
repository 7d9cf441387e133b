import { countOf } from '@/lib/format';
import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { nowMs } from '@/lib/server/clock';
import { NO_PASSWORD, verifyPassword } from '@/lib/server/auth/password';
import { takePasswordAttempt } from '@/lib/server/auth/password-attempts';
import { fail, ok, type Result } from '@/lib/server/result';
import type { PrismaClient } from '@/prisma/generated/client';

/** How recent a sign-in through the identity provider must be to stand in for a password. */
export const FRESH_PROVIDER_SIGN_IN_MINUTES = 10;

/**
 * The signed-in user's password, asked again before a change of their own second factor. It draws
 * on the same budget as sign-in (per account and per address, taken before the check), so a stolen
 * session cannot guess the password any faster than the sign-in page allows. Refusals are audited.
 *
 * An account made through single sign-on has no password: where `orProviderSignIn` allows it, this
 * session's sign-in through the provider, if it happened in the last few minutes, stands in for it
 * (the provider has just checked who it is). Never for setting a password.
 */
export async function reauthenticate(
  prisma: PrismaClient,
  {
    user,
    password,
    actor,
    action,
    orProviderSignIn = false,
  }: { user: { id: string; organizationId: string; email: string; sessionId?: string }; password: string; actor: Actor; action: string; orProviderSignIn?: boolean },
): Promise<Result<null>> {
  const deny = async (reason: string) =>
    recordAuditEvent(prisma, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason } });
  const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
  if (row.passwordHash === NO_PASSWORD) {
    const session = orProviderSignIn && user.sessionId ? await prisma.session.findUnique({ where: { id: user.sessionId }, select: { ssoSubject: true, createdAt: true } }) : null;
    if (session?.ssoSubject && session.createdAt.getTime() > nowMs() - FRESH_PROVIDER_SIGN_IN_MINUTES * 60_000) return ok(null);
    await deny(orProviderSignIn ? 'provider_sign_in_not_recent' : 'no_password');
    const message = orProviderSignIn
      ? `Your account signs in through your identity provider and has no password here. Sign out, sign in through the provider again, and do this within ${FRESH_PROVIDER_SIGN_IN_MINUTES} minutes.`
      : 'Your account signs in through your identity provider and has no password here.';
    return fail('VALIDATION', message, { password: [message] });
  }
  if (!password) return fail('VALIDATION', 'Enter your password', { password: ['Enter your password'] });
  const attempt = await takePasswordAttempt(prisma, { email: user.email, ip: actor.ip ?? 'unknown' });
  if (attempt.retryAfterSeconds > 0) {
    await deny('rate_limited');
    return fail('RATE_LIMITED', `Too many wrong passwords. Try again in ${countOf(Math.ceil(attempt.retryAfterSeconds / 60), 'minute')}.`);
  }
  if (!(await verifyPassword(password, row.passwordHash))) {
    await deny('wrong_password');
    return fail('VALIDATION', 'That password is not right.', { password: ['That password is not right.'] });
  }
  await attempt.succeeded();
  return ok(null);
}
