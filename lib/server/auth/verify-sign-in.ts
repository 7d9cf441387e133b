import 'server-only';
import { now } from '@/lib/server/clock';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { dummyPasswordHash, verifyPassword } from '@/lib/server/auth/password';
import { PASSWORD_LIMITS, takePasswordAttempt } from '@/lib/server/auth/password-attempts';
import type { PrismaClient, Role } from '@/prisma/generated/client';

/** Failed sign-ins allowed per window, per account and per client address. */
export const SIGN_IN_LIMITS = PASSWORD_LIMITS;

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string;
}

export type SignInResult =
  | { ok: true; user: SignedInUser }
  | { ok: false; reason: 'invalid' }
  /** The password was right, but the organization is SSO only and this is no break-glass administrator. */
  | { ok: false; reason: 'sso_only' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/**
 * Checks an email and password. Each attempt counts against the account and the address before the
 * password is checked; once either has too many, it is refused without checking. Every outcome is audited; the password never is.
 */
export async function verifySignIn(
  prisma: PrismaClient,
  { email, password, ip, userAgent }: { email: string; password: string; ip: string; userAgent: string | null },
): Promise<SignInResult> {
  const audit = (outcome: 'SUCCESS' | 'DENIED', user: { id: string; organizationId: string } | null, reason?: string) =>
    recordAuditEvent(prisma, {
      actor: { type: user ? 'USER' : 'ANONYMOUS', id: user?.id, label: email, ip, userAgent },
      action: 'auth.sign_in',
      target: user ? { type: 'User', id: user.id } : null,
      organizationId: user?.organizationId ?? null,
      outcome,
      details: reason ? { reason } : {},
    });

  const { retryAfterSeconds, succeeded } = await takePasswordAttempt(prisma, { email, ip });
  if (retryAfterSeconds > 0) {
    await audit('DENIED', null, 'rate_limited');
    return { ok: false, reason: 'locked', retryAfterSeconds };
  }

  const user = await prisma.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, organizationId: true, passwordHash: true, disabledAt: true, breakGlass: true, organization: { select: { sso: { select: { ssoOnly: true } } } } },
  });
  const passwordMatches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !passwordMatches || user.disabledAt) {
    await audit('DENIED', user, !user ? 'unknown_user' : user.disabledAt ? 'disabled' : 'wrong_password');
    return { ok: false, reason: 'invalid' };
  }
  await succeeded();
  // Said only after the right password, so it tells nobody else which addresses belong to such an organization.
  if (user.organization.sso?.ssoOnly && !(user.role === 'ADMIN' && user.breakGlass)) {
    await audit('DENIED', user, 'sso_only');
    return { ok: false, reason: 'sso_only' };
  }
  await prisma.user.update({ where: { id: user.id }, data: { lastSignInAt: now() } });
  await audit('SUCCESS', user);
  const { passwordHash: _hash, disabledAt: _disabled, breakGlass: _breakGlass, organization: _organization, ...signedIn } = user;
  return { ok: true, user: signedIn };
}
