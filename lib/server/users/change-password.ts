import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { hashPassword } from '@/lib/server/auth/password';
import { reauthenticate } from '@/lib/server/auth/reauthenticate';
import { endSessionsOf } from '@/lib/server/auth/sessions';
import { ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * A user's own new password, with the current one first (the sign-in budget applies). Their other
 * sessions end: whoever knew the old password is signed out everywhere but here.
 */
export async function changePassword(
  { prisma }: Pick<Services, 'prisma'>,
  {
    user,
    currentPassword,
    password,
    actor,
  }: { user: { id: string; organizationId: string; email: string; sessionId: string }; currentPassword: string; password: string; actor: Actor },
): Promise<Result<{ sessionsEnded: number }>> {
  const checked = await reauthenticate(prisma, { user, password: currentPassword, actor, action: 'user.password_change' });
  if (!checked.ok) return { ok: false, error: { ...checked.error, fieldErrors: { currentPassword: [checked.error.message] } } };
  const passwordHash = await hashPassword(password);
  const sessionsEnded = await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const ended = await endSessionsOf(tx, { userId: user.id, except: user.sessionId });
    await appendAuditEvent(tx, { actor, action: 'user.password_change', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { sessionsEnded: ended } });
    return ended;
  });
  return ok({ sessionsEnded });
}
