import 'server-only';
import { NO_PASSWORD } from '@/lib/server/auth/password';
import type { Services } from '@/lib/server/services';
import { describeSecrets } from '@/lib/server/crypto/sealed-secrets';

/** What the security page shows: enabled since when, recovery codes left, enrollment pending, whether the account has a password. */
export async function getTwoFactorStatus({ prisma }: Services, { userId }: { userId: string }) {
  const [user, unusedCodes, secrets] = await Promise.all([
    prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { totpEnabledAt: true, passwordHash: true } }),
    prisma.recoveryCode.count({ where: { userId, usedAt: null } }),
    describeSecrets(prisma, { ownerTable: 'User', ownerId: userId }),
  ]);
  return { enabledAt: user.totpEnabledAt, unusedRecoveryCodes: unusedCodes, pending: secrets.has('totpPendingSecret'), hasPassword: user.passwordHash !== NO_PASSWORD };
}
