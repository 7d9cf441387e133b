import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import type { CredentialStatus, Prisma } from '@/prisma/generated/client';

/**
 * Every status a credential may move to from each status. The only writer of `Credential.status`
 * is `changeCredentialStatus` below, and it refuses any other move.
 *
 * DRAFT (a slot with no values yet) → ACTIVE once configured; any live state → NEEDS_ATTENTION when
 * a provider refuses the credential or a sealed value fails to open, and back to ACTIVE when new
 * values are saved, a connection test passes or a token is issued; any live state → REVOKED, which
 * is terminal. REFRESHING and EXPIRED are reserved for the background jobs (proactive refresh,
 * expiry scan) and not written yet; a credential past its `expiresAt` already shows as expired.
 */
export const STATUS_TRANSITIONS: Readonly<Record<CredentialStatus, readonly CredentialStatus[]>> = {
  DRAFT: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  ACTIVE: ['ACTIVE', 'REFRESHING', 'EXPIRED', 'NEEDS_ATTENTION', 'REVOKED'],
  REFRESHING: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  EXPIRED: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  NEEDS_ATTENTION: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  REVOKED: [],
};

export function canTransition(from: CredentialStatus, to: CredentialStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

/** Why the status changes: recorded with the transition in the audit trail. */
export type StatusReason =
  | 'configured'
  | 'revoked'
  | 'connection_test_passed'
  | 'connection_test_refused'
  | 'token_issued'
  | 'token_refused'
  | 'integrity_failure';

export type StatusChange = {
  credential: { id: string; organizationId: string };
  actor: Actor;
  reason: StatusReason;
  /** Move only from these states (a passing test heals NEEDS_ATTENTION, nothing else). Default: any the table allows. */
  onlyFrom?: readonly CredentialStatus[];
} & ({ to: 'NEEDS_ATTENTION'; lastError: string } | { to: Exclude<CredentialStatus, 'NEEDS_ATTENTION'> });

export type StatusChangeResult = { changed: true; from: CredentialStatus } | { changed: false; current: CredentialStatus | null };

/**
 * Moves a credential to `change.to` inside the caller's transaction, if the table allows the move
 * from the status it has now. The write is conditional on that status, so of two writers racing
 * from the same state only one wins; the other is told the status it lost to. A real move (not
 * ACTIVE → ACTIVE) is audited in the same transaction. `lastError` says what needs attention and is
 * cleared by every other status.
 */
export async function changeCredentialStatus(tx: Prisma.TransactionClient, change: StatusChange): Promise<StatusChangeResult> {
  const { credential, to } = change;
  const row = await tx.credential.findUnique({ where: { id: credential.id }, select: { status: true } });
  if (!row) return { changed: false, current: null };
  const from = row.status;
  if (!canTransition(from, to) || (change.onlyFrom && !change.onlyFrom.includes(from))) return { changed: false, current: from };
  const lastError = change.to === 'NEEDS_ATTENTION' ? change.lastError : null;
  const { count } = await tx.credential.updateMany({ where: { id: credential.id, status: from }, data: { status: to, lastError } });
  if (count === 0) {
    const now = await tx.credential.findUnique({ where: { id: credential.id }, select: { status: true } });
    return { changed: false, current: now?.status ?? null };
  }
  if (from !== to) {
    await appendAuditEvent(tx, {
      actor: change.actor,
      action: 'credential.status',
      target: { type: 'Credential', id: credential.id },
      organizationId: credential.organizationId,
      outcome: 'SUCCESS',
      details: { from, to, reason: change.reason },
    });
  }
  return { changed: true, from };
}
