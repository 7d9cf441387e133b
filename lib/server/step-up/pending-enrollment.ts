import 'server-only';
import QRCode from 'qrcode';
import type { Services } from '@/lib/server/services';
import { readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import type { Prisma } from '@/prisma/generated/client';
import { newTotpSecret, totpUri } from '@/lib/server/step-up/totp';
import { totpOwner } from '@/lib/server/step-up/verify-second-factor';

export interface PendingEnrollment {
  /** Base32 key for manual entry, shown to its owner until the enrollment is confirmed. */
  secret: string;
  uri: string;
  /** QR code of `uri`, rendered on the server as SVG (no external service). */
  qrSvg: string;
}

type TotpUser = { id: string; organizationId: string; email: string };

/**
 * Inside the caller's transaction: a new TOTP secret, sealed (bound to the user) as
 * "totpPendingSecret", replacing any earlier pending one. It becomes active only once a code from
 * it is confirmed; until then the current authenticator (if any) keeps working.
 */
export async function beginPendingEnrollment(tx: Prisma.TransactionClient, keyring: Services['keyring'], user: TotpUser): Promise<void> {
  await writeSecret(tx, keyring, totpOwner(user), 'totpPendingSecret', newTotpSecret());
}

/** The user's pending enrollment, for the security page; null when none was started. Reads only. */
export async function readPendingEnrollment({ prisma, keyring }: Services, { user }: { user: TotpUser }): Promise<PendingEnrollment | null> {
  const secret = (await readSecrets(prisma, keyring, totpOwner(user), ['totpPendingSecret'])).totpPendingSecret;
  if (!secret) return null;
  const uri = totpUri(secret, user.email);
  return { secret, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
}
