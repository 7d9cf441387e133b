import 'server-only';
import { now } from '@/lib/server/clock';
import { randomBytes } from 'node:crypto';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import type { Services } from '@/lib/server/services';
import { deleteSecrets, readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Prisma } from '@/prisma/generated/client';
import { hashRecoveryCode, totpOwner, verifySecondFactor } from '@/lib/server/step-up/verify-second-factor';

export const RECOVERY_CODE_COUNT = 10;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** "xxxxx-xxxxx": 50 random bits each, easy to read aloud and type. */
function newRecoveryCode(): string {
  const chars = Array.from(randomBytes(10), (byte) => BASE32[byte % 32]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/**
 * Confirms the pending enrollment with a code from it: the pending secret becomes the active one,
 * and ten new recovery codes replace any old ones. The codes are returned once and stored hashed.
 */
export async function confirmEnrollment(
  services: Services,
  { user, code, actor }: { user: { id: string; organizationId: string; email: string }; code: string; actor: Actor },
): Promise<Result<{ recoveryCodes: string[] }>> {
  const owner = totpOwner(user);
  const pending = (await readSecrets(services.prisma, services.keyring, owner, ['totpPendingSecret'])).totpPendingSecret;
  if (!pending) return fail('INVALID_STATE', 'There is no enrollment to confirm. Start again.');
  const verified = await verifySecondFactor(services, {
    user,
    code,
    actor,
    action: 'totp.enroll_confirm',
    secretField: 'totpPendingSecret',
    allowRecoveryCode: false,
  });
  if (!verified.ok) return verified;
  const recoveryCodes = await services.prisma.$transaction(async (tx) => {
    const codes = await activateTotp(tx, services.keyring, user, pending);
    await deleteSecrets(tx, owner, ['totpPendingSecret']);
    await appendAuditEvent(tx, { actor, action: 'totp.enabled', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { recoveryCodes: RECOVERY_CODE_COUNT } });
    return codes;
  });
  return ok({ recoveryCodes });
}

/**
 * Inside the caller's transaction: `secret` becomes the user's authenticator key, ten new recovery
 * codes replace any old ones, and earlier step-up grants end. Returns the codes (stored hashed).
 */
export async function activateTotp(
  tx: Prisma.TransactionClient,
  keyring: Services['keyring'],
  user: { id: string; organizationId: string },
  secret: string,
): Promise<string[]> {
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await writeSecret(tx, keyring, totpOwner(user), 'totpSecret', secret);
  await tx.recoveryCode.deleteMany({ where: { userId: user.id } });
  await tx.recoveryCode.createMany({ data: recoveryCodes.map((c) => ({ userId: user.id, codeHash: hashRecoveryCode(c) })) });
  await tx.stepUpGrant.deleteMany({ where: { userId: user.id } });
  await tx.user.update({ where: { id: user.id }, data: { totpEnabledAt: now() } });
  return recoveryCodes;
}
