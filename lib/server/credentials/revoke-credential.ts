import 'server-only';
import { ZCredentialRef, type TCredentialRef } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { canTransition, changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { retireAllVersions } from '@/lib/server/credentials/secret-versions';
import type { Approval } from '@/lib/server/credentials/update-credential';
import { type Services } from '@/lib/server/services';
import { destroyCredentialSecrets } from '@/lib/server/credentials/credential-secrets';
import { ok, type Result } from '@/lib/server/result';
import type { Prisma } from '@/prisma/generated/client';

/** Revokes a credential for good: its sealed secrets are destroyed in the same transaction. */
export async function revokeCredential(
  { prisma }: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialRef },
): Promise<Result<{ destroyedSecrets: number }>> {
  const refuse = (code: 'NOT_FOUND' | 'INVALID_STATE' | 'CONFLICT', message: string, credentialId?: string) =>
    refuseChange(prisma, { actor, organizationId, action: 'credential.revoke', credentialId, failure: { code, message } });
  const parsed = ZCredentialRef.safeParse(input);
  if (!parsed.success) return refuse('NOT_FOUND', 'This credential does not exist.');
  const { credentialId, version } = parsed.data;
  const credential = await prisma.credential.findFirst({
    where: { id: credentialId, organizationId },
    select: { id: true, organizationId: true, status: true },
  });
  if (!credential) return refuse('NOT_FOUND', 'This credential does not exist.', credentialId);
  if (!canTransition(credential.status, 'REVOKED')) return refuse('INVALID_STATE', 'This credential is already revoked.', credentialId);

  const destroyed = await prisma.$transaction((tx) => applyRevoke(tx, { actor, credential, version }));
  if (destroyed === null) {
    return refuse('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again; nothing was revoked.', credentialId);
  }
  return ok({ destroyedSecrets: destroyed });
}

/** Revokes in the caller's transaction if the credential is still at `version`; null if it is not. */
export async function applyRevoke(
  tx: Prisma.TransactionClient,
  { actor, credential, version, approval }: { actor: Actor; credential: { id: string; organizationId: string }; version: number; approval?: Approval },
): Promise<number | null> {
  const at = now();
  const { count } = await tx.credential.updateMany({
    where: { id: credential.id, version, status: { not: 'REVOKED' } },
    data: { revokedAt: at, version: { increment: 1 } },
  });
  if (count === 0) return null;
  const destroyedSecrets = await destroyCredentialSecrets(tx, credential);
  await retireAllVersions(tx, { credential, at });
  await changeCredentialStatus(tx, {
    credential,
    to: 'REVOKED',
    event: { actor, action: 'credential.revoke', outcome: 'SUCCESS', details: { destroyedSecrets, ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}) } },
  });
  return destroyedSecrets;
}
