import 'server-only';
import { databaseLimiter, takePoint, type LimitRule } from '@/lib/server/auth/rate-limits';
import type { PrismaClient } from '@/prisma/generated/client';

/** Password checks allowed per window, per account and per client address. */
export const PASSWORD_LIMITS = { perAccount: 5, perIp: 30, windowSeconds: 15 * 60 };

const perAccount: LimitRule = { keyPrefix: 'sign-in:account', points: PASSWORD_LIMITS.perAccount, windowSeconds: PASSWORD_LIMITS.windowSeconds };
const perIp: LimitRule = { keyPrefix: 'sign-in:ip', points: PASSWORD_LIMITS.perIp, windowSeconds: PASSWORD_LIMITS.windowSeconds };

/**
 * Takes one attempt from the account's and the address's budgets *before* the password is checked,
 * so parallel guesses cannot all slip in under the limit. Returns the seconds to wait when either
 * budget is spent (0: go ahead), and `succeeded` to call once the password was right: the account's
 * count starts over and the address gets its point back. An attempt on a locked account is refused
 * without touching the address's budget: guesses at one locked account from a shared office address
 * must not lock everyone else there out.
 */
export async function takePasswordAttempt(prisma: PrismaClient, { email, ip }: { email: string; ip: string }): Promise<{ retryAfterSeconds: number; succeeded: () => Promise<void> }> {
  const account = email.toLowerCase();
  const forAccount = await takePoint(prisma, perAccount, account);
  const forIp = forAccount.retryAfterSeconds > 0 ? forAccount : await takePoint(prisma, perIp, ip);
  return {
    retryAfterSeconds: Math.max(forAccount.retryAfterSeconds, forIp.retryAfterSeconds),
    succeeded: async () => {
      await Promise.all([databaseLimiter(prisma, perAccount).delete(account), databaseLimiter(prisma, perIp).reward(ip, 1)]);
    },
  };
}
