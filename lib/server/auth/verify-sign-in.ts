import 'server-only';
import { RateLimiterPrisma } from 'rate-limiter-flexible';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { dummyPasswordHash, verifyPassword } from '@/lib/server/auth/password';
import type { PrismaClient, Role } from '@/prisma/generated/client';

/** Failed sign-ins allowed per window, per account and per client address. */
export const SIGN_IN_LIMITS = { perAccount: 5, perIp: 30, windowSeconds: 15 * 60 };

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string;
}

export type SignInResult =
  | { ok: true; user: SignedInUser }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

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
      new RateLimiterPrisma({ storeClient: prisma, tableName: 'rateLimiterFlexible', keyPrefix, points, duration: SIGN_IN_LIMITS.windowSeconds });
    found = { account: make('sign-in:account', SIGN_IN_LIMITS.perAccount), ip: make('sign-in:ip', SIGN_IN_LIMITS.perIp) };
    limitersByClient.set(prisma, found);
  }
  return found;
}

async function lockedFor(limiter: RateLimiterPrisma, key: string, limit: number): Promise<number> {
  const state = await limiter.get(key);
  return state && state.consumedPoints >= limit ? Math.ceil(state.msBeforeNext / 1000) : 0;
}

/**
 * Checks an email and password. Refuses without checking while the account or the address has too
 * many recent failures. Every outcome is audited; the password never is.
 */
export async function verifySignIn(
  prisma: PrismaClient,
  { email, password, ip, userAgent }: { email: string; password: string; ip: string; userAgent: string | null },
): Promise<SignInResult> {
  const { account, ip: byIp } = limiters(prisma);
  const audit = (outcome: 'SUCCESS' | 'DENIED', user: { id: string; organizationId: string } | null, reason?: string) =>
    prisma.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: { type: user ? 'USER' : 'ANONYMOUS', id: user?.id, label: email, ip, userAgent },
        action: 'auth.sign_in',
        target: user ? { type: 'User', id: user.id } : null,
        organizationId: user?.organizationId ?? null,
        outcome,
        details: reason ? { reason } : {},
      }),
    );

  const retryAfterSeconds = Math.max(
    await lockedFor(account, email, SIGN_IN_LIMITS.perAccount),
    await lockedFor(byIp, ip, SIGN_IN_LIMITS.perIp),
  );
  if (retryAfterSeconds > 0) {
    await audit('DENIED', null, 'rate_limited');
    return { ok: false, reason: 'locked', retryAfterSeconds };
  }

  const user = await prisma.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, organizationId: true, passwordHash: true, disabledAt: true },
  });
  const passwordMatches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !passwordMatches || user.disabledAt) {
    await Promise.all([account.penalty(email, 1), byIp.penalty(ip, 1)]);
    await audit('DENIED', user, !user ? 'unknown_user' : user.disabledAt ? 'disabled' : 'wrong_password');
    return { ok: false, reason: 'invalid' };
  }
  await account.delete(email);
  await audit('SUCCESS', user);
  const { passwordHash: _hash, disabledAt: _disabled, ...signedIn } = user;
  return { ok: true, user: signedIn };
}
