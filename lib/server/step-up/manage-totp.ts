import 'server-only';
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { verifyPassword } from '@/lib/server/auth/password';
import type { Vault } from '@/lib/server/credentials/vault';
import { deleteSecrets, readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { fail, ok, type Result } from '@/lib/server/result';
import { newTotpSecret, totpUri } from '@/lib/server/step-up/totp';
import { hashRecoveryCode, totpOwner, verifySecondFactor } from '@/lib/server/step-up/verify-second-factor';

type TotpUser = { id: string; organizationId: string; email: string };

export const RECOVERY_CODE_COUNT = 10;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** "xxxxx-xxxxx": 50 random bits each, easy to read aloud and type. */
function newRecoveryCode(): string {
  const chars = Array.from(randomBytes(10), (byte) => BASE32[byte % 32]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export interface PendingEnrollment {
  /** Base32 key for manual entry, shown once to its owner during enrollment. */
  secret: string;
  uri: string;
  /** QR code of `uri`, rendered on the server as SVG (no external service). */
  qrSvg: string;
}

/**
 * The pending enrollment of `user`, created if there is none: a new TOTP secret sealed (bound to
 * the user) as "totpPendingSecret". It becomes active only once a code from it is confirmed.
 */
export async function pendingEnrollment({ prisma, keyring }: Vault, { user }: { user: TotpUser }): Promise<PendingEnrollment> {
  const owner = totpOwner(user);
  let secret = (await readSecrets(prisma, keyring, owner, ['totpPendingSecret'])).totpPendingSecret;
  if (!secret) {
    secret = newTotpSecret();
    await prisma.$transaction(async (tx) => {
      await writeSecret(tx, keyring, owner, 'totpPendingSecret', secret!);
      await appendAuditEvent(tx, { actor: { type: 'USER', id: user.id, label: user.email }, action: 'totp.enroll_start', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS' });
    });
  }
  const uri = totpUri(secret, user.email);
  return { secret, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
}

/**
 * Confirms the pending enrollment with a code from it: the pending secret becomes the active one,
 * and ten new recovery codes replace any old ones. The codes are returned once and stored hashed.
 */
export async function confirmEnrollment(
  vault: Vault,
  { user, code, actor }: { user: TotpUser; code: string; actor: Actor },
): Promise<Result<{ recoveryCodes: string[] }>> {
  const owner = totpOwner(user);
  const pending = (await readSecrets(vault.prisma, vault.keyring, owner, ['totpPendingSecret'])).totpPendingSecret;
  if (!pending) return fail('INVALID_STATE', 'There is no enrollment to confirm. Start again.');
  const verified = await verifySecondFactor(vault, {
    user,
    code,
    actor,
    action: 'totp.enroll_confirm',
    secretField: 'totpPendingSecret',
    allowRecoveryCode: false,
  });
  if (!verified.ok) return verified;
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await vault.prisma.$transaction(async (tx) => {
    await writeSecret(tx, vault.keyring, owner, 'totpSecret', pending);
    await deleteSecrets(tx, owner, ['totpPendingSecret']);
    await tx.recoveryCode.deleteMany({ where: { userId: user.id } });
    await tx.recoveryCode.createMany({ data: recoveryCodes.map((c) => ({ userId: user.id, codeHash: hashRecoveryCode(c) })) });
    await tx.stepUpGrant.deleteMany({ where: { userId: user.id } });
    await tx.user.update({ where: { id: user.id }, data: { totpEnabledAt: new Date() } });
    await appendAuditEvent(tx, { actor, action: 'totp.enabled', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { recoveryCodes: RECOVERY_CODE_COUNT } });
  });
  return ok({ recoveryCodes });
}

/**
 * Re-authenticates with password and a current code (or recovery code) before re-enrolling or
 * turning two-factor off. `then: 'remove'` turns it off; `then: 'reenroll'` starts a new pending
 * enrollment while the current authenticator keeps working until the new one is confirmed.
 */
export async function changeTwoFactor(
  vault: Vault,
  { user, password, code, actor, then }: { user: TotpUser; password: string; code: string; actor: Actor; then: 'remove' | 'reenroll' },
): Promise<Result<null>> {
  const { prisma } = vault;
  const action = then === 'remove' ? 'totp.remove' : 'totp.reenroll';
  const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(password, row.passwordHash))) {
    await prisma.$transaction((tx) => appendAuditEvent(tx, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason: 'wrong_password' } }));
    return fail('VALIDATION', 'That password is not right.', { password: ['That password is not right.'] });
  }
  const verified = await verifySecondFactor(vault, { user, code, actor, action });
  if (!verified.ok) return verified;
  await prisma.$transaction(async (tx) => {
    if (then === 'remove') await removeTwoFactor(tx, user.id);
    else await deleteSecrets(tx, totpOwner(user), ['totpPendingSecret']);
    await appendAuditEvent(tx, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { then } });
  });
  return ok(null);
}

/** Deletes a user's TOTP secrets, recovery codes and grants (inside the caller's transaction). */
export async function removeTwoFactor(tx: Parameters<Parameters<Vault['prisma']['$transaction']>[0]>[0], userId: string): Promise<void> {
  await deleteSecrets(tx, { ownerTable: 'User', ownerId: userId });
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.stepUpGrant.deleteMany({ where: { userId } });
  await tx.user.update({ where: { id: userId }, data: { totpEnabledAt: null, totpLastStep: null } });
}
