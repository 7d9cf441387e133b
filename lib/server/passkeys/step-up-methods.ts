import 'server-only';
import { ZSecondFactorCode, type TStepUpPurpose } from '@/lib/schemas/step-up';
import type { Services } from '@/lib/server/services';

/**
 * Whether this user's step-up for `purpose` must be a passkey (or a recovery code): an administrator
 * of an organization that requires passkeys, except when opening `passkeys` to register their first
 * one with their authenticator code. With a passkey registered, adding another needs that passkey,
 * so one phished code and a stolen session cannot add the attacker's.
 */
export async function stepUpMethods({ prisma }: Pick<Services, 'prisma'>, { userId, purpose }: { userId: string; purpose: TStepUpPurpose }) {
  const row = await prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: { role: true, organization: { select: { requirePasskeysForAdmins: true } }, _count: { select: { passkeys: true } } },
  });
  const passkeys = row._count.passkeys;
  const passkeyRequired = row.role === 'ADMIN' && row.organization.requirePasskeysForAdmins && !(purpose === 'passkeys' && passkeys === 0);
  return { passkeys, passkeyRequired };
}

/** Whether `code` is an authenticator code (not a recovery code) that this user may not use for `purpose`, a passkey being required. */
export async function authenticatorCodeRefused(services: Pick<Services, 'prisma'>, { userId, purpose, code }: { userId: string; purpose: TStepUpPurpose; code: string }): Promise<boolean> {
  const typed = ZSecondFactorCode.safeParse(code);
  return typed.success && /^\d{6}$/.test(typed.data) && (await stepUpMethods(services, { userId, purpose })).passkeyRequired;
}

export const PASSKEY_REQUIRED_MESSAGE = 'Your organization asks administrators to confirm with a passkey. Use your passkey, or a recovery code if you lost it.';
