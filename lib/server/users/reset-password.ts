import 'server-only';
import { now } from '@/lib/server/clock';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { findUsableLink, useLink } from '@/lib/server/auth/one-time-links';
import { hashPassword } from '@/lib/server/auth/password';
import { endSessionsOf } from '@/lib/server/auth/sessions';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/** Whose password a reset link sets, for its page; null if the link is not usable. Reads only. */
export async function readPasswordReset({ prisma }: Pick<Services, 'prisma'>, token: string): Promise<{ email: string } | null> {
  const link = await findUsableLink(prisma, 'PASSWORD_RESET', token);
  if (!link?.userId) return null;
  const user = await prisma.user.findUnique({ where: { id: link.userId }, select: { email: true, disabledAt: true } });
  return user && !user.disabledAt ? { email: user.email } : null;
}

/** Sets a new password through a reset link; every open session of the account ends. */
export async function resetPassword(
  { prisma }: Pick<Services, 'prisma'>,
  { token, password, request }: { token: string; password: string; request: Pick<Actor, 'ip' | 'userAgent'> },
): Promise<Result<{ email: string }>> {
  const refuse = () =>
    recordRefusal(prisma, {
      actor: { type: 'ANONYMOUS', ...request },
      organizationId: null,
      action: 'user.password_reset',
      failure: fail('FORBIDDEN', 'This reset link is not valid: it is used, replaced, expired or mistyped. Ask your administrator for a new one.').error,
    });
  // A link that is not usable costs no password hash; the transaction checks it again.
  if (!(await findUsableLink(prisma, 'PASSWORD_RESET', token))) return refuse();
  const passwordHash = await hashPassword(password);
  const done = await prisma.$transaction(async (tx) => {
    const link = await useLink(tx, 'PASSWORD_RESET', token);
    if (!link?.userId) return null;
    const user = await tx.user.findUnique({ where: { id: link.userId }, select: { id: true, email: true, organizationId: true, disabledAt: true } });
    if (!user || user.disabledAt) return null;
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, credentialsResetAt: now() } });
    const sessions = await endSessionsOf(tx, { userId: user.id });
    await appendAuditEvent(tx, {
      actor: { type: 'USER', id: user.id, label: user.email, ...request },
      action: 'user.password_reset',
      target: { type: 'User', id: user.id },
      organizationId: user.organizationId,
      outcome: 'SUCCESS',
      details: { link: link.id, sessionsEnded: sessions },
    });
    return user;
  });
  return done ? ok({ email: done.email }) : refuse();
}
