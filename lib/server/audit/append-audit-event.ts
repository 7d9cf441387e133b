import 'server-only';
import { now } from '@/lib/server/clock';
import type { ActorType, AuditOutcome, Prisma } from '@/prisma/generated/client';
import { canonicalAuditEvent } from '@/lib/server/audit/hash-audit-event';
import { currentRequestId } from '@/lib/server/request-context';
import type { SqlRunner } from '@/lib/server/db/open-database';

const MAX_TEXT = 512;

/** Who did it, and from where (for people: address and user agent of the request). */
export interface Actor {
  type: ActorType;
  id?: string | null;
  label?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'SYSTEM', label: 'strongroom' };

export interface AuditEventInput {
  actor: Actor;
  action: string;
  target?: { type: string; id: string } | null;
  organizationId?: string | null;
  outcome: AuditOutcome;
  /** Field names, counts, reasons: never a secret value. */
  details?: Record<string, string | number | boolean | null | string[]>;
}

const clip = (text: string | null | undefined) => (text == null ? null : text.slice(0, MAX_TEXT));

/** The chain an organization's events form (events of no organization: the platform's). */
export const auditChainOf = (organizationId: string | null | undefined) => organizationId ?? 'platform';

/** The stored fields of an event, as its hash covers them. */
export type AuditFields = ReturnType<typeof auditFields>;
export function auditFields(input: AuditEventInput) {
  return {
    at: now(),
    actorType: input.actor.type,
    actorId: input.actor.id ?? null,
    actorLabel: clip(input.actor.label),
    action: input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    organizationId: input.organizationId ?? null,
    outcome: input.outcome,
    ip: clip(input.actor.ip),
    userAgent: clip(input.actor.userAgent),
    // The request it happened in, when it did: the same id as its log lines and its response header.
    details: withRequestId(input.details ?? {}),
  };
}

function withRequestId(details: Record<string, unknown>): Record<string, unknown> {
  const requestId = currentRequestId();
  return requestId ? { ...details, requestId } : details;
}

/** How the append statement is sent: through Prisma (inside a caller's transaction) or as plain SQL. */
export type AppendQuery = (sql: string, chain: string, batch: string) => Promise<{ appended: number }[]>;
export const throughPrisma = (db: Prisma.TransactionClient): AppendQuery => (sql, chain, batch) => db.$queryRawUnsafe(sql, chain, batch);
export const throughSql = (runner: Pick<SqlRunner, 'query'>): AppendQuery => (sql, chain, batch) => runner.query(sql, [chain, batch]);

/**
 * Appends an event to its organization's hash chain, inside the caller's transaction when it records
 * a change, so the change and its record commit together or not at all.
 */
export async function appendAuditEvent(db: Prisma.TransactionClient, input: AuditEventInput): Promise<void> {
  const fields = auditFields(input);
  await appendToChain(throughPrisma(db), auditChainOf(fields.organizationId), [fields]);
}

/**
 * Appends events, in order, to one chain in one statement: the database function
 * `strongroom_append_audit` (its migration says how) locks the chain's head, links each event to the
 * one before it and inserts them. The canonical JSON each hash covers is made here, by the code the
 * verifier uses.
 */
export async function appendToChain(query: AppendQuery, chain: string, events: AuditFields[]): Promise<void> {
  const batch = JSON.stringify(events.map((fields, i) => ({ ...fields, n: i + 1, canonical: canonicalAuditEvent(fields) })));
  const [row] = await query('SELECT strongroom_append_audit($1, $2::jsonb)::int AS appended', chain, batch);
  if (row?.appended !== events.length) throw new Error(`${row?.appended} of ${events.length} audit events were appended to the chain ${chain}`);
}
