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

export interface ShredOutcome {
  destroyedValues: number;
  destroyedKeys: number;
  revokedCredentials: number;
}

/**
 * Crypto-shreds an organization: destroys every data key it has, and with them every sealed value
 * (credential secrets, tokens, versions, staged changes, webhook signing secrets), in one transaction.
 * Its credentials are revoked, pending change requests withdrawn and webhook endpoints disabled, so
 * nothing waits on a secret that is gone. People keep their second factor: their TOTP secrets are
 * opened first and sealed again under new keys. The name typed must be the organization's short name.
 * Other organizations are not touched. Copies of the database made before keep the old wrapped keys:
 * the README says how to make those unreadable too (rotate the key-encryption key, destroy the old).
 */
export async function shredOrganization(
  { prisma, keyring }: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: unknown },
): Promise<Result<ShredOutcome>> {
  const organization = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { slug: true } });
  const parsed = shredConfirmation(organization.slug).safeParse(input);
  if (!parsed.success) {
    await recordAuditEvent(prisma, { actor, action: 'organization.shred', organizationId, outcome: 'DENIED', details: { reason: 'confirmation did not match' } });
    return fail('VALIDATION', 'Nothing was destroyed.', fieldErrorsOf(parsed.error));
  }
  const at = now();
  const { outcome, keyIds } = await prisma.$transaction(
    async (tx) => {
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
      const revoked = { count: live.length };
      await tx.changeRequest.updateMany({ where: { organizationId, status: 'PENDING' }, data: { status: 'WITHDRAWN' } });
      await tx.webhookEndpoint.updateMany({ where: { organizationId, disabledAt: null }, data: { disabledAt: at } });
      await tx.tokenGrant.deleteMany({ where: { credentialId: { in: ids } } });
      const values = await tx.sealedSecret.deleteMany({ where: { organizationId } });
      const keys = await tx.dataKey.findMany({ where: { organizationId }, select: { id: true } });
      await tx.dataKey.deleteMany({ where: { organizationId } });
      for (const [ownerId, secrets] of totp) await writeNewSecrets(tx, keyring, { organizationId, ownerTable: 'User', ownerId }, secrets);
      const result = { destroyedValues: values.count - userRows.length, destroyedKeys: keys.length, revokedCredentials: revoked.count };
      await appendAuditEvent(tx, { actor, action: 'organization.shred', organizationId, outcome: 'SUCCESS', details: { ...result, secondFactorsResealed: totp.size } });
      return { outcome: result, keyIds: keys.map((k) => k.id) };
    },
    { timeout: 120_000 },
  );
  forgetDataKeys(keyIds);
  return ok(outcome);
}
