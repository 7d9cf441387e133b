import 'server-only';
import { profileDefinition } from '@/lib/schemas/credential-profiles';
import { RECOVERY_DAYS } from '@/lib/server/credentials/delete-credential';
import type { Services } from '@/lib/server/services';

/** Deleted credentials still inside their recovery window, most recently deleted first, with who deleted them. */
export async function listDeletedCredentials({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  const rows = await prisma.credential.findMany({
    where: { organizationId, deletedAt: { not: null } },
    orderBy: { deletedAt: 'desc' },
    take: 500,
    select: { id: true, label: true, profile: true, environment: true, version: true, deletedAt: true, deletedBy: true, legalEntity: { select: { name: true } } },
  });
  return rows.map((row) => ({
    ...row,
    profileTitle: profileDefinition(row.profile)?.title ?? row.profile,
    purgeAfter: new Date(row.deletedAt!.getTime() + RECOVERY_DAYS * 86_400_000),
  }));
}
