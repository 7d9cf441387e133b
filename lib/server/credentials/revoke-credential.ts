import 'server-only';
import { ZCredentialRef, type TCredentialRef } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { canTransition, changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { type Services } from '@/lib/server/services';
import { destroyCredentialSecrets } from '@/lib/server/credentials/credential-secrets';
import { ok, type Result } from '@/lib/server/result';

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

  const destroyed = await prisma.$transaction(async (tx) => {
    const { count } = await tx.credential.updateMany({
      where: { id: credentialId, version, status: { not: 'REVOKED' } },
      data: { revokedAt: new Date(), version: { increment: 1 } },
    });
    if (count === 0) return null;
    const destroyedSecrets = await destroyCredentialSecrets(tx, credential);
    await changeCredentialStatus(tx, { credential, to: 'REVOKED', event: { actor, action: 'credential.revoke', outcome: 'SUCCESS', details: { destroyedSecrets } } });
    return destroyedSecrets;
  });
  if (destroyed === null) {
    return refuse('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again; nothing was revoked.', credentialId);
  }
  return ok({ destroyedSecrets: destroyed });
}
