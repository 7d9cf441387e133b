import 'server-only';
import type { Services } from '@/lib/server/services';
import type { TAuditFilters } from '@/lib/audit-actions';
import type { Prisma, PrismaClient } from '@/prisma/generated/client';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditEventDto {
  seq: string;
  /** Its number in the organization's chain: 1, 2, 3 … with no gap. */
  number: string;
  at: Date;
  actorType: string;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
  hash: string;
}

const select = {
  seq: true,
  number: true,
  at: true,
  actorType: true,
  actorLabel: true,
  action: true,
  targetType: true,
  targetId: true,
  outcome: true,
  ip: true,
  userAgent: true,
  details: true,
  hash: true,
} as const;

/**
 * An organization's audit events, newest first, `AUDIT_PAGE_SIZE` at a time before `beforeSeq`.
 * Events without an organization (sign-in attempts for unknown accounts, key rotation) are the
 * platform's, and shown to no organization.
 */
export async function listAuditEvents(
  { prisma }: Pick<Services, 'prisma'>,
  { organizationId, beforeSeq, filters = {} }: { organizationId: string; beforeSeq?: bigint; filters?: TAuditFilters },
): Promise<{ events: AuditEventDto[]; nextBeforeSeq: string | null }> {
  const where = await auditWhere(prisma, organizationId, filters);
  const rows = await prisma.auditEvent.findMany({
    where: { AND: [where, beforeSeq ? { seq: { lt: beforeSeq } } : {}] },
    orderBy: { seq: 'desc' },
    take: AUDIT_PAGE_SIZE + 1,
    select,
  });
  const events = rows.slice(0, AUDIT_PAGE_SIZE).map((row) => ({ ...row, seq: row.seq.toString(), number: row.number.toString() }));
  return { events, nextBeforeSeq: rows.length > AUDIT_PAGE_SIZE ? events[events.length - 1]!.seq : null };
}

/**
 * The filters as a query: actor (a user's id, or "system" for Strongroom's own jobs), action, legal
 * entity (events about it or its credentials), credential, outcome, and a range of UTC days.
 */
export async function auditWhere(prisma: Pick<PrismaClient, 'credential'>, organizationId: string, filters: TAuditFilters): Promise<Prisma.AuditEventWhereInput> {
  const and: Prisma.AuditEventWhereInput[] = [{ organizationId }];
  if (filters.actor === 'system') and.push({ actorType: 'SYSTEM' });
  else if (filters.actor) and.push({ actorId: filters.actor });
  if (filters.action) and.push({ action: filters.action });
  if (filters.outcome) and.push({ outcome: filters.outcome });
  if (filters.credential) and.push({ targetType: 'Credential', targetId: filters.credential });
  if (filters.entity) {
    const credentials = await prisma.credential.findMany({ where: { organizationId, legalEntityId: filters.entity }, select: { id: true } });
    and.push({ OR: [{ targetType: 'LegalEntity', targetId: filters.entity }, { targetType: 'Credential', targetId: { in: credentials.map((c) => c.id) } }] });
  }
  if (filters.from) and.push({ at: { gte: new Date(`${filters.from}T00:00:00Z`) } });
  if (filters.to) and.push({ at: { lt: new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + 86_400_000) } });
  return { AND: and };
}

/** Every event of the organization that the filters let through, in chain order, in batches (for export). */
export async function* allAuditEvents(prisma: PrismaClient, organizationId: string, filters: TAuditFilters = {}): AsyncGenerator<AuditEventDto> {
  const where = await auditWhere(prisma, organizationId, filters);
  let after: bigint | undefined;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({
      where: { AND: [where, after !== undefined ? { seq: { gt: after } } : {}] },
      orderBy: { seq: 'asc' },
      take: 1_000,
      select,
    });
    for (const row of rows) yield { ...row, seq: row.seq.toString(), number: row.number.toString() };
    if (rows.length < 1_000) return;
    after = rows[rows.length - 1]!.seq;
  }
}
