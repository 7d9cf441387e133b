import 'server-only';
import { RateLimiterPrisma } from 'rate-limiter-flexible';
import type { PrismaClient } from '@/prisma/generated/client';

/** Wrong codes allowed per user per window before the second factor locks. */
export const SECOND_FACTOR_LIMIT = { points: 5, windowSeconds: 15 * 60 };

const limiters = new WeakMap<PrismaClient, RateLimiterPrisma>();

/** Counts wrong codes per user in the database, shared by every instance. */
export function secondFactorLimiter(prisma: PrismaClient): RateLimiterPrisma {
  let limiter = limiters.get(prisma);
  if (!limiter) {
    limiter = new RateLimiterPrisma({
      storeClient: prisma,
      tableName: 'rateLimiterFlexible',
      keyPrefix: 'second-factor',
      points: SECOND_FACTOR_LIMIT.points,
      duration: SECOND_FACTOR_LIMIT.windowSeconds,
    });
    limiters.set(prisma, limiter);
  }
  return limiter;
}
