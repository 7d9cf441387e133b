import { countOf } from '@/lib/format';
import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { verifyPassword } from '@/lib/server/auth/password';
import { takePasswordAttempt } from '@/lib/server/auth/password-attempts';
import { fail, ok, type Result } from '@/lib/server/result';
import type { PrismaClient } from '@/prisma/generated/client';

/**
 * The signed-in user's password, asked again before a change of their own second factor. It draws
 * on the same budget as sign-in (per account and per address, taken before the check), so a stolen
 * session cannot guess the password any faster than the sign-in page allows. Refusals are audited.
 */
export async function reauthenticate(
  prisma: PrismaClient,
  { user, password, actor, action }: { user: { id: string; organizationId: string; email: string }; password: string; actor: Actor; action: string },
): Promise<Result<null>> {
  const deny = async (reason: string) =>
    recordAuditEvent(prisma, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason } });
  const attempt = await takePasswordAttempt(prisma, { email: user.email, ip: actor.ip ?? 'unknown' });
  if (attempt.retryAfterSeconds > 0) {
    await deny('rate_limited');
    return fail('RATE_LIMITED', `Too many wrong passwords. Try again in ${countOf(Math.ceil(attempt.retryAfterSeconds / 60), 'minute')}.`);
  }
  const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(password, row.passwordHash))) {
    await deny('wrong_password');
    return fail('VALIDATION', 'That password is not right.', { password: ['That password is not right.'] });
  }
  await attempt.succeeded();
  return ok(null);
}
