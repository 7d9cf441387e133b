import 'server-only';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { keyring } from '@/lib/server/crypto/keyring';
import { prisma } from '@/lib/server/db/client';
import type { PrismaClient } from '@/prisma/generated/client';

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
