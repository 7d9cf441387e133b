import 'server-only';
import { RateLimiterPrisma, RateLimiterRes } from 'rate-limiter-flexible';
import type { PrismaClient } from '@/prisma/generated/client';

export interface LimitRule {
  keyPrefix: string;
  points: number;
  windowSeconds: number;
}

const limiters = new WeakMap<PrismaClient, Map<string, RateLimiterPrisma>>();

/** A counter kept in the database (rate-limiter-flexible's Prisma store), so every instance shares it. */
export function databaseLimiter(prisma: PrismaClient, rule: LimitRule): RateLimiterPrisma {
  let byPrefix = limiters.get(prisma);
  if (!byPrefix) limiters.set(prisma, (byPrefix = new Map()));
  let limiter = byPrefix.get(rule.keyPrefix);
  if (!limiter) {
    limiter = new RateLimiterPrisma({ storeClient: prisma, tableName: 'rateLimiterFlexible', keyPrefix: rule.keyPrefix, points: rule.points, duration: rule.windowSeconds });
    byPrefix.set(rule.keyPrefix, limiter);
  }
  return limiter;
}

/**
 * Takes one point for `key` before the thing it limits is checked (one atomic increment), so
 * parallel attempts cannot all slip in under the limit. `allowed` is false once the window's points
 * are spent; `consumed` counts this attempt too.
 */
export async function takePoint(prisma: PrismaClient, rule: LimitRule, key: string): Promise<{ allowed: boolean; consumed: number; retryAfterSeconds: number }> {
  try {
    const taken = await databaseLimiter(prisma, rule).consume(key);
    return { allowed: true, consumed: taken.consumedPoints, retryAfterSeconds: 0 };
  } catch (rejected) {
    if (!(rejected instanceof RateLimiterRes)) throw rejected;
    return { allowed: false, consumed: rejected.consumedPoints, retryAfterSeconds: Math.max(1, Math.ceil(rejected.msBeforeNext / 1000)) };
  }
}
