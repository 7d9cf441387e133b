import 'server-only';
import { deleteSecrets } from '@/lib/server/crypto/sealed-secrets';
import type { Prisma } from '@/prisma/generated/client';

/** Deletes a user's TOTP secrets, recovery codes, passkeys and grants (inside the caller's transaction). */
export async function removeTwoFactor(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await deleteSecrets(tx, { ownerTable: 'User', ownerId: userId });
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.passkey.deleteMany({ where: { userId } });
  await tx.passkeyChallenge.deleteMany({ where: { userId } });
  await tx.stepUpGrant.deleteMany({ where: { userId } });
  await tx.user.update({ where: { id: userId }, data: { totpEnabledAt: null, totpLastStep: null } });
}
