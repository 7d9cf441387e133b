import 'server-only';
import type { Services } from '@/lib/server/services';
import type { PrismaClient } from '@/prisma/generated/client';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditEventDto {
  seq: string;
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
  { organizationId, beforeSeq }: { organizationId: string; beforeSeq?: bigint },
): Promise<{ events: AuditEventDto[]; nextBeforeSeq: string | null }> {
  const rows = await prisma.auditEvent.findMany({
    where: { organizationId, ...(beforeSeq ? { seq: { lt: beforeSeq } } : {}) },
    orderBy: { seq: 'desc' },
    take: AUDIT_PAGE_SIZE + 1,
    select,
  });
  const events = rows.slice(0, AUDIT_PAGE_SIZE).map((row) => ({ ...row, seq: row.seq.toString() }));
  return { events, nextBeforeSeq: rows.length > AUDIT_PAGE_SIZE ? events[events.length - 1]!.seq : null };
}

/** Every event of the organization in chain order, in batches (for export). */
export async function* allAuditEvents(prisma: PrismaClient, organizationId: string): AsyncGenerator<AuditEventDto> {
  let after: bigint | undefined;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({
      where: { organizationId, ...(after !== undefined ? { seq: { gt: after } } : {}) },
      orderBy: { seq: 'asc' },
      take: 1_000,
      select,
    });
    for (const row of rows) yield { ...row, seq: row.seq.toString() };
    if (rows.length < 1_000) return;
    after = rows[rows.length - 1]!.seq;
  }
}
