import 'server-only';
import type { Prisma } from '@/prisma/generated/client';

/**
 * Inside the caller's transaction: whether `userId` is the organization's only active administrator.
 * Locks the active administrators' rows, so two administrators demoting each other at the same
 * moment take turns and the second sees the first's change.
 */
export async function isLastActiveAdmin(tx: Prisma.TransactionClient, { organizationId, userId }: { organizationId: string; userId: string }): Promise<boolean> {
  const admins = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id"::text AS "id" FROM "User"
    WHERE "organizationId" = ${organizationId}::uuid AND "role" = 'ADMIN' AND "disabledAt" IS NULL
    ORDER BY "id" FOR UPDATE`;
  return admins.length === 1 && admins[0]!.id === userId;
}

export const LAST_ADMIN_MESSAGE = 'This is the only active administrator: make someone else an administrator first.';

/**
 * Whether `userId` is the last active break-glass administrator with two-factor of an organization
 * whose sign-in is SSO only: deactivating or demoting them, or removing their two-factor, would leave
 * nobody who can sign in while the provider is down. Locks those administrators' rows, like
 * `isLastActiveAdmin`, so two such changes at once cannot both pass.
 */
export async function isLastBreakGlass(tx: Prisma.TransactionClient, { organizationId, userId }: { organizationId: string; userId: string }): Promise<boolean> {
  const sso = await tx.ssoConnection.findUnique({ where: { organizationId }, select: { ssoOnly: true } });
  if (!sso?.ssoOnly) return false;
  const rows = await lockBreakGlass(tx, organizationId);
  return rows.length === 1 && rows[0]!.id === userId;
}

/** The organization's usable break-glass administrators, locked until the transaction ends. */
export const lockBreakGlass = (tx: Prisma.TransactionClient, organizationId: string) => tx.$queryRaw<{ id: string }[]>`
    SELECT "id"::text AS "id" FROM "User"
    WHERE "organizationId" = ${organizationId}::uuid AND "role" = 'ADMIN' AND "disabledAt" IS NULL AND "breakGlass" AND "totpEnabledAt" IS NOT NULL
    ORDER BY "id" FOR UPDATE`;

export const LAST_BREAK_GLASS_MESSAGE =
  'This is the last break-glass administrator while sign-in is SSO only: mark another administrator break-glass first (Admin → Sign-in), or turn SSO only off. Nothing was changed.';
