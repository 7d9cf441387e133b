import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { now } from '@/lib/server/clock';
import type { LinkPurpose, OneTimeLink, Prisma, Role } from '@/prisma/generated/client';

/** How long each kind of link works. */
export const LINK_LIFETIME_MS: Record<LinkPurpose, number> = {
  SETUP: 24 * 3600_000,
  INVITE: 7 * 24 * 3600_000,
  PASSWORD_RESET: 24 * 3600_000,
};

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Where a link's token goes in the URL. */
export function linkUrl(baseUrl: string, path: '/setup' | '/invite' | '/reset-password', token: string): string {
  const url = new URL(path, baseUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * A new single-use link: 32 random bytes, returned once; only their SHA-256 is stored (a leaked
 * table opens nothing).
 */
export async function createLink(
  db: Prisma.TransactionClient,
  input: { purpose: LinkPurpose; organizationId?: string; email?: string; role?: Role; userId?: string; createdById?: string },
): Promise<{ token: string; link: OneTimeLink }> {
  const token = randomBytes(32).toString('base64url');
  const link = await db.oneTimeLink.create({
    data: { ...input, tokenHash: hashToken(token), expiresAt: new Date(now().getTime() + LINK_LIFETIME_MS[input.purpose]) },
  });
  return { token, link };
}

const usable = (purpose: LinkPurpose, token: string) => ({
  tokenHash: hashToken(token),
  purpose,
  usedAt: null,
  cancelledAt: null,
  expiresAt: { gt: now() },
});

/** The link a token opens, if it is still usable; reads only (for showing its form). */
export function findUsableLink(db: Prisma.TransactionClient, purpose: LinkPurpose, token: string): Promise<OneTimeLink | null> {
  return db.oneTimeLink.findFirst({ where: usable(purpose, token) });
}

/**
 * Uses a link: one conditional update, so of two requests with the same token exactly one gets the
 * link; null if it is unknown, used, cancelled or expired. Call it inside the transaction that does
 * what the link allows, so a failure there leaves the link usable.
 */
export async function useLink(db: Prisma.TransactionClient, purpose: LinkPurpose, token: string): Promise<OneTimeLink | null> {
  const { count } = await db.oneTimeLink.updateMany({ where: usable(purpose, token), data: { usedAt: now() } });
  if (count !== 1) return null;
  return db.oneTimeLink.findUnique({ where: { tokenHash: hashToken(token) } });
}
