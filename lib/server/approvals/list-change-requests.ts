import 'server-only';
import type { ChangeSummary } from '@/lib/server/approvals/request-change';
import { now } from '@/lib/server/clock';
import type { Services } from '@/lib/server/services';

/**
 * Change requests of an organization (or of one credential), pending first, then the last decided
 * ones. A pending request says whether it is past its deadline or made against a version the
 * credential has left (it would be refused as stale).
 */
export async function listChangeRequests(
  { prisma }: Pick<Services, 'prisma'>,
  { organizationId, credentialId, decidedTake = 20 }: { organizationId: string; credentialId?: string; decidedTake?: number },
) {
  const select = {
    id: true,
    kind: true,
    status: true,
    baseVersion: true,
    payload: true,
    summary: true,
    requestedById: true,
    requestedBy: true,
    requestedAt: true,
    expiresAt: true,
    decidedBy: true,
    decidedAt: true,
    reason: true,
    credential: { select: { id: true, label: true, profile: true, version: true, environment: true, legalEntity: { select: { name: true } } } },
  } as const;
  const where = { organizationId, ...(credentialId ? { credentialId } : {}) };
  const [pending, decided] = await Promise.all([
    prisma.changeRequest.findMany({ where: { ...where, status: 'PENDING' }, orderBy: { requestedAt: 'asc' }, take: 200, select }),
    prisma.changeRequest.findMany({ where: { ...where, status: { not: 'PENDING' } }, orderBy: { decidedAt: 'desc' }, take: decidedTake, select }),
  ]);
  const at = now().getTime();
  const dto = (row: (typeof pending)[number]) => ({
    ...row,
    summary: row.summary as unknown as ChangeSummary,
    label: row.credential?.label ?? String((row.payload as Record<string, unknown>).label ?? ''),
    profile: row.credential?.profile ?? String((row.payload as Record<string, unknown>).profile ?? ''),
    entityName: row.credential?.legalEntity.name ?? null,
    expired: row.status === 'PENDING' && row.expiresAt.getTime() <= at,
    stale: row.status === 'PENDING' && row.credential !== null && row.baseVersion !== null && row.credential.version !== row.baseVersion,
  });
  return { pending: pending.map(dto), decided: decided.map(dto) };
}
export type ChangeRequestDto = Awaited<ReturnType<typeof listChangeRequests>>['pending'][number];

/** How many requests wait for a decision (the navigation shows it). */
export const countPendingRequests = ({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) =>
  prisma.changeRequest.count({ where: { organizationId, status: 'PENDING', expiresAt: { gt: now() } } });
