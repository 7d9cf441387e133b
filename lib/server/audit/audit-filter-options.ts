import 'server-only';
import type { Services } from '@/lib/server/services';

/** What the audit log's filters offer: the organization's people and legal entities, and the label of a credential filtered on. */
export async function auditFilterOptions({ prisma }: Pick<Services, 'prisma'>, { organizationId, credentialId }: { organizationId: string; credentialId?: string | undefined }) {
  const [people, entities, credential] = await Promise.all([
    prisma.user.findMany({ where: { organizationId }, orderBy: { name: 'asc' }, select: { id: true, name: true, email: true } }),
    prisma.legalEntity.findMany({ where: { organizationId }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    credentialId ? prisma.credential.findFirst({ where: { id: credentialId, organizationId }, select: { label: true } }) : null,
  ]);
  return { people, entities, credentialLabel: credential?.label ?? null };
}
