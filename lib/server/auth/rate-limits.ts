import 'server-only';
import { RateLimiterPrisma, RateLimiterRes } from 'rate-limiter-flexible';
import type { PrismaClient } from '@/prisma/generated/client';

export interface LimitRule {
  keyPrefix: string;
  points: number;
  windowSeconds: number;
}

const limiters = new WeakMap<PrismaClient, Map<string, RateLimiterPrisma>>();

/**
 * rate-limiter-flexible's Prisma store with its window counted in one statement: the library deletes
 * an expired row and then upserts (two round trips, the larger share of a proxied call or a signature);
 * this does both in one INSERT … ON CONFLICT, as the library's PostgreSQL store does.
 */
class OneStatementPrismaLimiter extends RateLimiterPrisma {
  readonly #prisma: PrismaClient;
  constructor(prisma: PrismaClient, rule: LimitRule) {
    super({ storeClient: prisma, tableName: 'rateLimiterFlexible', keyPrefix: rule.keyPrefix, points: rule.points, duration: rule.windowSeconds });
    this.#prisma = prisma;
  }

  /** Adds `points` to `key`'s window, or starts a new window when it is over (or `forceExpire`): the library's contract. */
  async _upsert(key: string, points: number, msDuration: number, forceExpire = false) {
    const now = new Date();
    const expire = msDuration > 0 ? new Date(now.getTime() + msDuration) : null;
    const [row] = await this.#prisma.$queryRaw<{ points: number; expire: Date | null }[]>`
      INSERT INTO "RateLimiterFlexible" AS l ("key", points, expire) VALUES (${key}, ${points}, ${expire})
      ON CONFLICT ("key") DO UPDATE SET
        points = CASE WHEN ${forceExpire} OR l.expire <= ${now} THEN EXCLUDED.points ELSE l.points + EXCLUDED.points END,
        expire = CASE WHEN ${forceExpire} OR l.expire <= ${now} THEN EXCLUDED.expire ELSE l.expire END
      RETURNING points, expire`;
    return row;
  }
}

/** A counter kept in the database (rate-limiter-flexible's Prisma store), so every instance shares it. */
export function databaseLimiter(prisma: PrismaClient, rule: LimitRule): RateLimiterPrisma {
  let byPrefix = limiters.get(prisma);
  if (!byPrefix) limiters.set(prisma, (byPrefix = new Map()));
  let limiter = byPrefix.get(rule.keyPrefix);
  if (!limiter) {
    limiter = new OneStatementPrismaLimiter(prisma, rule);
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
