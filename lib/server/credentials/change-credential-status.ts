import 'server-only';
import { appendAuditEvent, type AuditEventInput } from '@/lib/server/audit/append-audit-event';
import type { CredentialStatus, Prisma } from '@/prisma/generated/client';

/**
 * Every status a credential may move to from each status. The only writer of `Credential.status`
 * is `changeCredentialStatus` below, and it refuses any other move.
 *
 * DRAFT (a slot with no values yet) → ACTIVE once configured; any live state → NEEDS_ATTENTION when
 * a provider refuses the credential or a sealed value fails to open, and back to ACTIVE when new
 * values are saved, a connection test passes or a token is issued; any live state → REVOKED, which
 * is terminal. ACTIVE → REFRESHING while the scheduler refreshes its token ahead of time, and back;
 * any live state → EXPIRED when the expiry watch finds it past its `expiresAt`, until new values are
 * saved.
 */
export const STATUS_TRANSITIONS: Readonly<Record<CredentialStatus, readonly CredentialStatus[]>> = {
  DRAFT: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  ACTIVE: ['ACTIVE', 'REFRESHING', 'EXPIRED', 'NEEDS_ATTENTION', 'REVOKED'],
  REFRESHING: ['ACTIVE', 'EXPIRED', 'NEEDS_ATTENTION', 'REVOKED'],
  EXPIRED: ['ACTIVE', 'EXPIRED', 'REVOKED'],
  NEEDS_ATTENTION: ['ACTIVE', 'EXPIRED', 'NEEDS_ATTENTION', 'REVOKED'],
  REVOKED: [],
};

/**
 * The status a credential is inserted with: ACTIVE when it is created with its values, DRAFT (a slot
 * to fill, a ZATCA unit Strongroom will onboard) without. Creating is the one write of a status
 * that is not a move; its audit event says `toStatus`.
 */
export const statusAtCreation = (configured: boolean): { status: CredentialStatus; details: { toStatus: CredentialStatus } } => {
  const status = configured ? 'ACTIVE' : 'DRAFT';
  return { status, details: { toStatus: status } };
};

export function canTransition(from: CredentialStatus, to: CredentialStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

export type StatusChange = {
  credential: { id: string; organizationId: string };
  /**
   * The audit event of the action that moves the status. It is written in any case, in the same
   * transaction, with `fromStatus` and `toStatus` added when the status really changed.
   */
  event: Omit<AuditEventInput, 'target' | 'organizationId'>;
  /** Move only from these states (a passing test heals NEEDS_ATTENTION, nothing else). Default: any the table allows. */
  onlyFrom?: readonly CredentialStatus[];
} & ({ to: 'NEEDS_ATTENTION'; lastError: string } | { to: Exclude<CredentialStatus, 'NEEDS_ATTENTION'> });

export type StatusChangeResult = { changed: true; from: CredentialStatus } | { changed: false; current: CredentialStatus | null };

/**
 * Moves a credential to `change.to` inside the caller's transaction, if the table allows the move
 * from the status it has now, and records the action's audit event with the move. One statement
 * locks the row, reads its status and writes only if that status is one the move is allowed from,
 * so of two writers racing from the same state only one wins; the other is told the status it lost
 * to. `lastError` says what needs attention and is cleared by every other status.
 */
export async function changeCredentialStatus(tx: Prisma.TransactionClient, change: StatusChange): Promise<StatusChangeResult> {
  const { credential, to } = change;
  const movableFrom = (Object.keys(STATUS_TRANSITIONS) as CredentialStatus[]).filter((from) => canTransition(from, to) && (!change.onlyFrom || change.onlyFrom.includes(from)));
  const lastError = change.to === 'NEEDS_ATTENTION' ? change.lastError : null;
  const [row] = await tx.$queryRaw<{ from: CredentialStatus; moved: boolean }[]>`
    WITH before AS (SELECT id, status FROM "Credential" WHERE id = ${credential.id}::uuid FOR UPDATE),
         moved AS (UPDATE "Credential" AS c SET status = ${to}::"CredentialStatus", "lastError" = ${lastError}, "updatedAt" = now()
                     FROM before WHERE c.id = before.id AND before.status::text = ANY(${movableFrom}::text[]) RETURNING c.id)
    SELECT before.status AS "from", EXISTS (SELECT 1 FROM moved) AS moved FROM before`;
  const result: StatusChangeResult = !row ? { changed: false, current: null } : row.moved ? { changed: true, from: row.from } : { changed: false, current: row.from };
  const moved: Record<string, string> = result.changed && result.from !== to ? { fromStatus: result.from, toStatus: to } : {};
  await appendAuditEvent(tx, {
    ...change.event,
    target: { type: 'Credential', id: credential.id },
    organizationId: credential.organizationId,
    details: { ...change.event.details, ...moved },
  });
  return result;
}
