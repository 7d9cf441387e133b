import 'server-only';
import { shredConfirmation } from '@/lib/schemas/shred-organization';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { now } from '@/lib/server/clock';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { forgetDataKeys } from '@/lib/server/crypto/data-keys';
import { openSealedRows, writeNewSecrets } from '@/lib/server/crypto/sealed-secrets';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { needsSecondAdministrator, requestAdministration } from '@/lib/server/approvals/admin-standing';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';
import type { Keyring } from '@/lib/server/crypto/keyring';
import type { Prisma } from '@/prisma/generated/client';

export interface ShredOutcome {
  destroyedValues: number;
  destroyedKeys: number;
  revokedCredentials: number;
}

/**
 * Crypto-shreds an organization: destroys every data key it has, and with them every sealed value
 * (credential secrets, tokens, versions, staged changes, webhook signing secrets).
 * Its credentials are revoked, pending change requests withdrawn and webhook endpoints disabled, so
 * nothing waits on a secret that is gone. People keep their second factor: their TOTP secrets are
 * opened first and sealed again under new keys. The name typed must be the organization's short name.
 * Under four-eyes approval, with another administrator who could approve, it is a request they
 * approve (`applyShred` then runs in the approval's transaction): one administrator alone cannot
 * destroy every secret. Other organizations are not touched. Copies of the database made before keep
 * the old wrapped keys: the README says how to make those unreadable too (rotate the key-encryption
 * key, destroy the old).
 */
export async function shredOrganization(
  services: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: unknown },
): Promise<Result<ShredOutcome | ApprovalRequested>> {
  const { prisma, keyring } = services;
  const organization = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { slug: true, name: true } });
  const parsed = shredConfirmation(organization.slug).safeParse(input);
  if (!parsed.success) {
    await recordAuditEvent(prisma, { actor, action: 'organization.shred', organizationId, outcome: 'DENIED', details: { reason: 'confirmation did not match' } });
    return fail('VALIDATION', 'Nothing was destroyed.', fieldErrorsOf(parsed.error));
  }
  if (await needsSecondAdministrator(prisma, { organizationId, actorId: actor.id })) {
    return requestAdministration(services, {
      actor,
      organizationId,
      kind: 'ORGANIZATION_SHRED',
      subject: organization.slug,
      payload: {},
      target: `Destroy every secret of ${organization.name}`,
      action: 'organization.shred',
      refusalTarget: { type: 'Organization', id: organizationId },
    });
  }
  const { outcome, keyIds } = await prisma.$transaction((tx) => applyShred(tx, keyring, { actor, organizationId }), { timeout: SHRED_TIMEOUT_MS });
  forgetDataKeys(keyIds);
  return ok(outcome);
}

/** A large organization's shred reseals every person's second factor: more than a default transaction's 5 s. */
export const SHRED_TIMEOUT_MS = 120_000;

/**
 * Does the shredding in `tx` and audits it (with the approval, when a second administrator gave it).
 * Returns the destroyed keys' ids: the caller forgets them from memory once the transaction commits.
 */
export async function applyShred(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { actor, organizationId, approval }: { actor: Actor; organizationId: string; approval?: { requestId: string; requestedBy: string } },
): Promise<{ outcome: ShredOutcome; keyIds: string[] }> {
  const at = now();
  const userRows = await tx.sealedSecret.findMany({ where: { organizationId, ownerTable: 'User' }, select: { ownerId: true, field: true, sealed: true } });
  const totp = new Map<string, Record<string, string>>();
  for (const ownerId of new Set(userRows.map((row) => row.ownerId))) {
    totp.set(ownerId, await openSealedRows(tx, keyring, { organizationId, ownerTable: 'User', ownerId }, userRows.filter((row) => row.ownerId === ownerId)));
  }
  const credentials = await tx.credential.findMany({ where: { organizationId }, select: { id: true, organizationId: true, status: true } });
  const ids = credentials.map((c) => c.id);
  const live = credentials.filter((c) => c.status !== 'REVOKED');
  await tx.credential.updateMany({ where: { id: { in: live.map((c) => c.id) } }, data: { revokedAt: at, version: { increment: 1 } } });
  // Each credential's own history says why it was revoked.
  for (const credential of live) {
    await changeCredentialStatus(tx, { credential, to: 'REVOKED', event: { actor, action: 'credential.revoke', outcome: 'SUCCESS', details: { reason: 'organization.shred' } } });
  }
  await tx.changeRequest.updateMany({ where: { organizationId, status: 'PENDING' }, data: { status: 'WITHDRAWN' } });
  await tx.webhookEndpoint.updateMany({ where: { organizationId, disabledAt: null }, data: { disabledAt: at } });
  await tx.tokenGrant.deleteMany({ where: { credentialId: { in: ids } } });
  const values = await tx.sealedSecret.deleteMany({ where: { organizationId } });
  const keys = await tx.dataKey.findMany({ where: { organizationId }, select: { id: true } });
  await tx.dataKey.deleteMany({ where: { organizationId } });
  for (const [ownerId, secrets] of totp) await writeNewSecrets(tx, keyring, { organizationId, ownerTable: 'User', ownerId }, secrets);
  const outcome = { destroyedValues: values.count - userRows.length, destroyedKeys: keys.length, revokedCredentials: live.length };
  await appendAuditEvent(tx, {
    actor,
    action: 'organization.shred',
    organizationId,
    outcome: 'SUCCESS',
    details: { ...outcome, secondFactorsResealed: totp.size, ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}) },
  });
  return { outcome, keyIds: keys.map((k) => k.id) };
}
