import 'server-only';
import { createHash } from 'node:crypto';

/** The hash a chain's first event links to (strongroom_append_audit creates heads at it too). */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event that its hash covers (everything but the chain links). */
export interface HashedAuditFields {
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  organizationId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
}

/** JSON with object keys sorted at every depth: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The byte string an event's hash covers: canonical JSON of its fields. */
export function canonicalAuditEvent(event: HashedAuditFields): string {
  return canonicalJson({
    at: event.at.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    actorLabel: event.actorLabel,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    organizationId: event.organizationId,
    outcome: event.outcome,
    ip: event.ip,
    userAgent: event.userAgent,
    details: event.details,
  });
}

/** hash = SHA-256(prevHash ‖ "\n" ‖ canonical(event)), hex. The append computes the same in SQL. */
export function hashAuditEvent(prevHash: string, event: HashedAuditFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalAuditEvent(event)).digest('hex');
}
