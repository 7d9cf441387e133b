import 'server-only';
import { now } from '@/lib/server/clock';
import type { ActorType, AuditOutcome, Prisma } from '@/prisma/generated/client';
import { canonicalAuditEvent, GENESIS_HASH } from '@/lib/server/audit/hash-audit-event';
import { currentRequestId } from '@/lib/server/request-context';

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

/**
 * Appends an event to its organization's hash chain, inside the caller's transaction when it records
 * a change, so the change and its record commit together or not at all.
 *
 * One statement: it locks the chain's head row (appenders queue there, across connections and
 * processes; after the wait it reads the newest committed head), links the event to it, computes
 * the hash the verifier recomputes, and inserts; the insert's trigger moves the head. A chain's
 * first event creates its head first.
 */
export async function appendAuditEvent(db: Prisma.TransactionClient, input: AuditEventInput): Promise<void> {
  await appendFields(db, auditFields(input));
}

/** appendAuditEvent for fields already built (the batch writer's single-event case). */
export async function appendFields(db: Prisma.TransactionClient, fields: ReturnType<typeof auditFields>): Promise<void> {
  const chain = auditChainOf(fields.organizationId);
  const insert = () => db.$executeRaw`
    WITH head AS (SELECT "hash" FROM "AuditHead" WHERE "chain" = ${chain} FOR UPDATE)
    INSERT INTO "AuditEvent" ("chain", "at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId",
                              "organizationId", "outcome", "ip", "userAgent", "details", "prevHash", "hash")
    SELECT ${chain}, ${fields.at}, ${fields.actorType}::"ActorType", ${fields.actorId}, ${fields.actorLabel}, ${fields.action},
           ${fields.targetType}, ${fields.targetId}, ${fields.organizationId}::uuid, ${fields.outcome}::"AuditOutcome",
           ${fields.ip}, ${fields.userAgent}, ${JSON.stringify(fields.details)}::jsonb, head."hash",
           encode(sha256(convert_to(head."hash" || E'\n' || ${canonicalAuditEvent(fields)}, 'UTF8')), 'hex')
      FROM head`;
  if ((await insert()) === 1) return;
  await createChainHead(db, chain);
  if ((await insert()) !== 1) throw new Error(`The audit chain head of ${chain} is missing`);
}

/** A chain's head, at the genesis hash, unless it exists (two first appenders: one wins, both link to it). */
export async function createChainHead(db: Prisma.TransactionClient, chain: string): Promise<void> {
  await db.$executeRaw`INSERT INTO "AuditHead" ("chain", "hash") VALUES (${chain}, ${GENESIS_HASH}) ON CONFLICT DO NOTHING`;
}
