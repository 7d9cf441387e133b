import { countOf } from '@/lib/format';
import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { createHash } from 'node:crypto';
import { ZSecondFactorCode } from '@/lib/schemas/step-up';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Services } from '@/lib/server/services';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import { fail, ok, type Result } from '@/lib/server/result';
import { databaseLimiter, takePoint } from '@/lib/server/auth/rate-limits';
import { SECOND_FACTOR_LIMIT } from '@/lib/server/step-up/second-factor-limiter';
import { matchTotpStep } from '@/lib/server/step-up/totp';

export const hashRecoveryCode = (code: string) => createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex');

export const totpOwner = (user: { id: string; organizationId: string }) => ({
  organizationId: user.organizationId,
  ownerTable: 'User',
  ownerId: user.id,
});

interface VerifyOptions {
  user: { id: string; organizationId: string };
  code: string;
  actor: Actor;
  /** Audit action of this check (step_up.verify, totp.remove …). */
  action: string;
  details?: Record<string, string>;
  /** Which stored secret to check: the active one, or the one being enrolled. */
  secretField?: 'totpSecret' | 'totpPendingSecret';
  allowRecoveryCode?: boolean;
  now?: number;
}

/**
 * Checks a second-factor code: an authenticator code (each time step accepted once per user, ±1
 * step) or an unused recovery code (consumed atomically). Attempts are limited per user in the
 * database, counted before they are checked; every outcome is audited with address and user agent.
 */
export async function verifySecondFactor(
  { prisma, keyring }: Services,
  { user, code, actor, action, details = {}, secretField = 'totpSecret', allowRecoveryCode = true, now = Date.now() }: VerifyOptions,
): Promise<Result<{ method: 'totp' | 'recovery'; timeStep?: number }>> {
  const audit = (outcome: 'SUCCESS' | 'DENIED', reason?: string) =>
    recordAuditEvent(prisma, {
      actor,
      action,
      target: { type: 'User', id: user.id },
      organizationId: user.organizationId,
      outcome,
      details: { ...details, ...(reason ? { reason } : {}) },
    });
  // Every attempt takes a point before it is checked (one atomic increment), so parallel guesses
  // cannot all slip in under the limit; a right code gives the points back.
  const attempt = await takePoint(prisma, SECOND_FACTOR_LIMIT, user.id);
  if (!attempt.allowed) {
    await audit('DENIED', 'locked');
    const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
    return fail('RATE_LIMITED', `Too many wrong codes. Try again in ${countOf(minutes, 'minute')}, or ask an administrator to unlock your account.`);
  }
  const limiter = databaseLimiter(prisma, SECOND_FACTOR_LIMIT);
  const refuse = async (reason: string, message: string) => {
    await audit('DENIED', reason);
    return fail('VALIDATION', message, { code: [message] });
  };

  const parsed = ZSecondFactorCode.safeParse(code);
  if (!parsed.success) return refuse('malformed', parsed.error.issues[0]?.message ?? 'Enter a code');
  const normalized = parsed.data;

  if (/^\d{6}$/.test(normalized)) {
    const secret = (await readSecrets(prisma, keyring, totpOwner(user), [secretField]))[secretField];
    if (!secret) return refuse('not_enrolled', 'Two-factor authentication is not set up for your account.');
    const step = await matchTotpStep({ secret, code: normalized, now });
    if (step === null) return refuse('wrong_code', 'That code is not right, or has expired. Enter the current code from your app.');
    // Accept each time step once: the update only succeeds if this step is newer than the last one.
    const accepted = await prisma.user.updateMany({
      where: { id: user.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: BigInt(step) } }] },
      data: { totpLastStep: BigInt(step) },
    });
    if (accepted.count === 0) return refuse('replayed', 'That code was already used. Wait for the next code from your app.');
    await limiter.delete(user.id);
    await audit('SUCCESS');
    return ok({ method: 'totp', timeStep: step });
  }

  if (!allowRecoveryCode) return refuse('recovery_not_allowed', 'Enter the 6-digit code from the authenticator app you are setting up.');
  const used = await prisma.recoveryCode.updateMany({
    where: { userId: user.id, codeHash: hashRecoveryCode(normalized), usedAt: null },
    data: { usedAt: new Date(now) },
  });
  if (used.count === 0) return refuse('wrong_recovery_code', 'That recovery code is not valid or was already used.');
  await limiter.delete(user.id);
  await audit('SUCCESS', 'recovery_code');
  return ok({ method: 'recovery' });
}
