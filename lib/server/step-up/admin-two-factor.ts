import 'server-only';
import { now } from '@/lib/server/clock';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import type { Services } from '@/lib/server/services';
import { fail, ok, type Result } from '@/lib/server/result';
import { removeTwoFactor } from '@/lib/server/step-up/remove-two-factor';
import { isLastBreakGlass, LAST_BREAK_GLASS_MESSAGE } from '@/lib/server/users/last-admin';
import { databaseLimiter } from '@/lib/server/auth/rate-limits';
import { SECOND_FACTOR_LIMIT } from '@/lib/server/step-up/second-factor-limiter';

/**
 * An administrator's help for another user of the same organization: `unlock` clears the wrong-code
 * lock-out; `reset` removes two-factor entirely (lost phone and recovery codes), so the user enrolls
 * again before their next change of secrets. Never for oneself. Both audited, refusals too.
 */
export async function adminTwoFactor(
  { prisma }: Services,
  { actor, organizationId, userId, act }: { actor: Actor; organizationId: string; userId: string; act: 'unlock' | 'reset' },
): Promise<Result<null>> {
  const target = await prisma.user.findFirst({ where: { id: userId, organizationId }, select: { id: true } });
  if (!target) return fail('NOT_FOUND', 'No such user in your organization.');
  if (actor.type === 'USER' && actor.id === userId) {
    await recordAuditEvent(prisma, { actor, action: `totp.admin_${act}`, target: { type: 'User', id: userId }, organizationId, outcome: 'DENIED', details: { reason: 'self' } });
    return fail('FORBIDDEN', 'You cannot unlock or reset your own two-factor: ask another administrator (your own lock-out ends when its 15 minutes pass).');
  }
  if (act === 'unlock') await databaseLimiter(prisma, SECOND_FACTOR_LIMIT).delete(userId);
  const done = await prisma.$transaction(async (tx) => {
    if (act === 'reset' && (await isLastBreakGlass(tx, { organizationId, userId }))) return false;
    if (act === 'reset') {
      await removeTwoFactor(tx, userId);
      // Whoever enrols next on this account is not the one who was an approver before.
      await tx.user.update({ where: { id: userId }, data: { credentialsResetAt: now() } });
    }
    await appendAuditEvent(tx, { actor, action: `totp.admin_${act}`, target: { type: 'User', id: userId }, organizationId, outcome: 'SUCCESS' });
    return true;
  });
  if (!done) {
    await recordAuditEvent(prisma, { actor, action: `totp.admin_${act}`, target: { type: 'User', id: userId }, organizationId, outcome: 'DENIED', details: { reason: 'last_break_glass' } });
    return fail('INVALID_STATE', LAST_BREAK_GLASS_MESSAGE);
  }
  return ok(null);
}
