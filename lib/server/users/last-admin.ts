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
