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
 * Destroys every sealed value of a credential, its secrets and its cached tokens, inside the
 * caller's transaction. Returns how many secrets (not tokens) were destroyed.
 */
export async function destroyCredentialSecrets(tx: Prisma.TransactionClient, credential: { id: string; organizationId: string }): Promise<number> {
  await deleteSecrets(tx, tokenOwner(credential));
  await tx.tokenGrant.deleteMany({ where: { credentialId: credential.id } });
  return deleteSecrets(tx, credentialOwner(credential));
}
