import 'server-only';
import { randomUUID } from 'node:crypto';
import { CHANGE_KINDS } from '@/lib/schemas/governance';
import { settingChanges, type SettingChange, type VersionFacts } from '@/lib/server/approvals/describe-change';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { describeSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import type { Services } from '@/lib/server/services';
import type { ChangeKind, Prisma } from '@/prisma/generated/client';

/** New secret values of a change request are sealed under this owner until it is decided. */
export const requestOwner = (request: { id: string; organizationId: string }) => ({
  organizationId: request.organizationId,
  ownerTable: 'ChangeRequest',
  ownerId: request.id,
});

/** What a request asking for a second administrator tells the one who made it. */
export interface ApprovalRequested {
  requested: true;
  /** How many administrators could approve it. */
  approvers: number;
  expiresAt: Date;
}

/** What a request would change, as the review shows it: settings old → new, secrets by fingerprint, never a secret value. */
export interface ChangeSummary {
  secrets: { field: string; from: string | null; to: string }[];
  configFields: string[];
  /** Non-secret settings old → new (requests made before these were kept have names only, in configFields). */
  settings?: SettingChange[];
  /** The secret version in use when the request was made, and for a rollback the one it goes back to. */
  versions?: { current: VersionFacts | null; previous?: VersionFacts | null };
  label?: { from: string | null; to: string };
  /** Entity, type and environment of a credential to create. */
  target?: string;
}

export interface RequestedChange {
  kind: ChangeKind;
  /** The credential and the version the request was made against (none for CREATE). */
  credential?: { id: string; version: number; label: string; config: Record<string, string> } | null;
  /** Non-secret input needed to apply it. */
  payload: Prisma.InputJsonObject;
  /** New values to seal under the request. */
  secrets?: Record<string, string>;
  /** New label and settings, to list what changes. */
  label?: string;
  config?: Record<string, string>;
  target?: string;
}

/**
 * Records a change to a production credential for a second administrator to approve, instead of
 * applying it. The new secret values are sealed at once under the request (AAD binds them to it)
 * and never shown again; the request keeps what would change (fingerprints old → new) and the
 * credential's version. The other administrators are told. Returns how many there are to approve.
 */
export async function requestChange(
  { prisma, keyring }: Pick<Services, 'prisma'> & Partial<Pick<Services, 'keyring'>>,
  { actor, organizationId, change }: { actor: Actor; organizationId: string; change: RequestedChange },
): Promise<{ requestId: string; approvers: number; expiresAt: Date }> {
  if (actor.type !== 'USER' || !actor.id) throw new Error('a change request is made by a signed-in administrator');
  const requesterId = actor.id;
  const { approvalHours } = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { approvalHours: true } });
  const at = now();
  const expiresAt = new Date(at.getTime() + approvalHours * 3_600_000);
  const id = randomUUID();
  const { credential } = change;
  return prisma.$transaction(async (tx) => {
    await tx.changeRequest.create({
      data: {
        id,
        organizationId,
        credentialId: credential?.id ?? null,
        kind: change.kind,
        baseVersion: credential?.version ?? null,
        payload: change.payload,
        requestedById: requesterId,
        requestedBy: actor.label ?? 'an administrator',
        requestedAt: at,
        expiresAt,
      },
    });
    const before = credential ? await describeSecrets(tx, credentialOwner({ id: credential.id, organizationId })) : new Map();
    const secrets: ChangeSummary['secrets'] = [];
    for (const [field, value] of Object.entries(change.secrets ?? {})) {
      if (!keyring) throw new Error('sealing a request’s secrets needs the keyring');
      const { fingerprint } = await writeSecret(tx, keyring, requestOwner({ id, organizationId }), field, value);
      secrets.push({ field, from: before.get(field)?.fingerprint ?? null, to: fingerprint });
    }
    const settings = change.config ? settingChanges(credential?.config ?? {}, change.config) : [];
    const configFields = settings.map((s) => s.field);
    const summary: ChangeSummary = {
      secrets,
      configFields,
      settings,
      ...(credential ? { versions: await versionsOf(tx, credential.id, change.kind) } : {}),
      ...(change.label !== undefined && change.label !== credential?.label ? { label: { from: credential?.label ?? null, to: change.label } } : {}),
      ...(change.target ? { target: change.target } : {}),
    };
    await tx.changeRequest.update({ where: { id }, data: { summary: summary as unknown as Prisma.InputJsonObject } });
    await appendAuditEvent(tx, {
      actor,
      action: 'change_request.create',
      target: credential ? { type: 'Credential', id: credential.id } : { type: 'ChangeRequest', id },
      organizationId,
      outcome: 'SUCCESS',
      details: { changeRequest: id, kind: change.kind, secretFields: secrets.map((s) => s.field), configFields },
    });
    const approvers = await tx.user.findMany({ where: { organizationId, role: 'ADMIN', disabledAt: null, id: { not: requesterId } }, select: { email: true } });
    await raiseNotifications(tx, [
      {
        organizationId,
        credentialId: credential?.id ?? null,
        event: 'change_request.created',
        dedupeKey: `change_request.created:${id}`,
        data: { changeRequestId: id, kind: change.kind, kindLabel: CHANGE_KINDS[change.kind], requestedBy: actor.label ?? null, credentialLabel: credential?.label ?? change.label ?? null, expiresAt: expiresAt.toISOString() },
        mailTo: approvers.map((a) => a.email),
      },
    ]);
    return { requestId: id, approvers: approvers.length, expiresAt };
  });
}

/** The version in use and, for a rollback, the previous one it would bring back. */
async function versionsOf(tx: Prisma.TransactionClient, credentialId: string, kind: ChangeKind): Promise<NonNullable<ChangeSummary['versions']>> {
  const rows = await tx.secretVersion.findMany({
    where: { credentialId, OR: [{ state: 'CURRENT' }, ...(kind === 'ROLLBACK' ? [{ state: 'PREVIOUS' as const, destroyAfter: { gt: now() } }] : [])] },
    select: { number: true, state: true, fingerprints: true },
  });
  const facts = (state: string) => {
    const row = rows.find((r) => r.state === state);
    return row ? { number: row.number, fingerprints: row.fingerprints as Record<string, string> } : null;
  };
  return { current: facts('CURRENT'), ...(kind === 'ROLLBACK' ? { previous: facts('PREVIOUS') } : {}) };
}
