import 'server-only';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { keyring } from '@/lib/server/crypto/keyring';
import { prisma } from '@/lib/server/db/client';
import { deleteSecrets } from '@/lib/server/crypto/sealed-secrets';
import type { Prisma, PrismaClient } from '@/prisma/generated/client';

/** What every credential operation needs: the database and the keys. */
export interface Vault {
  prisma: PrismaClient;
  keyring: Keyring;
}

/** The process's vault. */
export async function vault(): Promise<Vault> {
  return { prisma: await prisma(), keyring: keyring() };
}

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
