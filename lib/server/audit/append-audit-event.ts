import 'server-only';
import type { ActorType, AuditOutcome, Prisma } from '@/prisma/generated/client';
import { canonicalAuditEvent } from '@/lib/server/audit/hash-audit-event';

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

/** The stored fields of an event, as its hash covers them. */
export function auditFields(input: AuditEventInput) {
  return {
    at: new Date(),
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
    details: input.details ?? {},
  };
}

/**
 * Appends an event to the hash chain, inside the caller's transaction when it records a change, so
 * the change and its record commit together or not at all.
 *
 * One statement: it locks the head row (appenders queue there, across connections and processes;
 * after the wait it reads the newest committed head), links the event to it, computes the hash
 * the verifier recomputes, and inserts; the insert's trigger moves the head.
 */
export async function appendAuditEvent(db: Prisma.TransactionClient, input: AuditEventInput): Promise<void> {
  await appendFields(db, auditFields(input));
}

/** appendAuditEvent for fields already built (the batch writer's single-event case). */
export async function appendFields(db: Prisma.TransactionClient, fields: ReturnType<typeof auditFields>): Promise<void> {
  const inserted = await db.$executeRaw`
    WITH head AS (SELECT "hash" FROM "AuditHead" WHERE "id" = 1 FOR UPDATE)
    INSERT INTO "AuditEvent" ("at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId",
                              "organizationId", "outcome", "ip", "userAgent", "details", "prevHash", "hash")
    SELECT ${fields.at}, ${fields.actorType}::"ActorType", ${fields.actorId}, ${fields.actorLabel}, ${fields.action},
           ${fields.targetType}, ${fields.targetId}, ${fields.organizationId}::uuid, ${fields.outcome}::"AuditOutcome",
           ${fields.ip}, ${fields.userAgent}, ${JSON.stringify(fields.details)}::jsonb, head."hash",
           encode(sha256(convert_to(head."hash" || E'\n' || ${canonicalAuditEvent(fields)}, 'UTF8')), 'hex')
      FROM head`;
  if (inserted !== 1) throw new Error('AuditHead row is missing: the audit_head migration was not applied');
}
