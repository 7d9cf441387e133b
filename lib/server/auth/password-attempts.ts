import 'server-only';
import { RateLimiterPrisma, RateLimiterRes } from 'rate-limiter-flexible';
import type { PrismaClient } from '@/prisma/generated/client';

/** Password checks allowed per window, per account and per client address. */
export const PASSWORD_LIMITS = { perAccount: 5, perIp: 30, windowSeconds: 15 * 60 };

interface Limiters {
  account: RateLimiterPrisma;
  ip: RateLimiterPrisma;
}

const limitersByClient = new WeakMap<PrismaClient, Limiters>();

// Counters live in the database (rate-limiter-flexible's Prisma store), so every instance shares them.
function limiters(prisma: PrismaClient): Limiters {
  let found = limitersByClient.get(prisma);
  if (!found) {
    const make = (keyPrefix: string, points: number) =>
      new RateLimiterPrisma({ storeClient: prisma, tableName: 'rateLimiterFlexible', keyPrefix, points, duration: PASSWORD_LIMITS.windowSeconds });
    found = { account: make('sign-in:account', PASSWORD_LIMITS.perAccount), ip: make('sign-in:ip', PASSWORD_LIMITS.perIp) };
    limitersByClient.set(prisma, found);
  }
  return found;
}

/** Seconds until the limiter lets this key try again, 0 if the point was granted. */
async function take(limiter: RateLimiterPrisma, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (rejected) {
    if (rejected instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
    throw rejected;
  }
}

/**
 * Takes one attempt from the account's and the address's budgets *before* the password is checked
 * (one atomic increment each), so parallel guesses cannot all slip in under the limit. Returns the
 * seconds to wait when either budget is spent (0: go ahead), and `succeeded` to call once the
 * password was right: the account's count starts over and the address gets its point back.
 */
export async function takePasswordAttempt(prisma: PrismaClient, { email, ip }: { email: string; ip: string }): Promise<{ retryAfterSeconds: number; succeeded: () => Promise<void> }> {
  const { account, ip: byIp } = limiters(prisma);
  const [forAccount, forIp] = await Promise.all([take(account, email.toLowerCase()), take(byIp, ip)]);
  return {
    retryAfterSeconds: Math.max(forAccount, forIp),
    succeeded: async () => {
      await Promise.all([account.delete(email.toLowerCase()), byIp.reward(ip, 1)]);
    },
  };
}
