import 'server-only';
import type { ActorType, AuditOutcome, Prisma } from '@/prisma/generated/client';
import { GENESIS_HASH, hashAuditEvent } from '@/lib/server/audit/hash-audit-event';

/** Serializes appends to the one chain across connections and processes. */
const AUDIT_CHAIN_LOCK = 5_307_001;

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

/**
 * Appends an event to the hash chain inside the caller's transaction, so that a change and its
 * record commit together or not at all.
 */
export async function appendAuditEvent(tx: Prisma.TransactionClient, input: AuditEventInput): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } });
  const prevHash = head?.hash ?? GENESIS_HASH;
  const fields = {
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
  await tx.auditEvent.create({ data: { ...fields, prevHash, hash: hashAuditEvent(prevHash, fields) } });
}
