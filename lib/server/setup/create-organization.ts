import 'server-only';
import type { Prisma } from '@/prisma/generated/client';

/** A URL-safe name for the organization ("Gulf Trading FZ-LLC" → "gulf-trading-fz-llc"). */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'organization';
}

/**
 * Creates the installation's organization and its first administrator, if there is no organization
 * yet; null if there is one. Several processes may try at once (two setup links, a script beside a
 * browser): a transaction-scoped advisory lock makes them take turns, so exactly one creates it.
 */
export async function createFirstOrganization(
  tx: Prisma.TransactionClient,
  { organizationName, name, email, passwordHash }: { organizationName: string; name: string; email: string; passwordHash: string },
) {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext('strongroom.first-organization'))::text`;
  if ((await tx.organization.count()) > 0) return null;
  const organization = await tx.organization.create({ data: { name: organizationName, slug: slugOf(organizationName) } });
  const admin = await tx.user.create({
    data: { organizationId: organization.id, email, name, role: 'ADMIN', passwordHash },
    select: { id: true, email: true, organizationId: true },
  });
  return { organization, admin };
}
