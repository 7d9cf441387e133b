import 'server-only';
import { deleteSecrets } from '@/lib/server/crypto/sealed-secrets';
import type { Prisma } from '@/prisma/generated/client';

/** Sealed secrets of a credential belong to this owner (bound into their ciphertext). */
export const credentialOwner = (credential: { id: string; organizationId: string }) => ({
  organizationId: credential.organizationId,
  ownerTable: 'Credential',
  ownerId: credential.id,
});

/** A credential's cached OAuth tokens are sealed under this owner. */
export const tokenOwner = (credential: { id: string; organizationId: string }) => ({
  organizationId: credential.organizationId,
  ownerTable: 'TokenGrant',
  ownerId: credential.id,
});

/**
 * Destroys every sealed value of a credential, inside the caller's transaction: its secrets, its
 * cached tokens, its pending and previous versions and the values of change requests for it.
 * Returns how many current secrets (not tokens) were destroyed.
 */
export async function destroyCredentialSecrets(tx: Prisma.TransactionClient, credential: { id: string; organizationId: string }): Promise<number> {
  const [versions, requests] = await Promise.all([
    tx.secretVersion.findMany({ where: { credentialId: credential.id }, select: { id: true } }),
    tx.changeRequest.findMany({ where: { credentialId: credential.id }, select: { id: true } }),
  ]);
  await tx.sealedSecret.deleteMany({
    where: {
      OR: [
        { ownerTable: 'SecretVersion', ownerId: { in: versions.map((v) => v.id) } },
        { ownerTable: 'ChangeRequest', ownerId: { in: requests.map((r) => r.id) } },
      ],
    },
  });
  await deleteSecrets(tx, tokenOwner(credential));
  await tx.tokenGrant.deleteMany({ where: { credentialId: credential.id } });
  return deleteSecrets(tx, credentialOwner(credential));
}
