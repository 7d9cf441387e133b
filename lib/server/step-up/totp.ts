import 'server-only';
import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 parameters of Strongroom's authenticator codes (what every authenticator app expects). */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** A new TOTP secret: 20 random bytes, base32 (160 bits, as RFC 4226 recommends). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, account: string): string {
  return generateURI({ issuer: 'Strongroom', label: account, secret, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/**
 * The RFC 6238 time step a code matches within ±1 step of `now`, or null. Replay protection is the
 * caller's: it must accept each step at most once per user.
 */
export async function matchTotpStep({
  secret,
  code,
  now = Date.now(),
  algorithm = 'sha1',
  digits = TOTP_DIGITS,
}: {
  secret: string | Uint8Array;
  code: string;
  now?: number;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  digits?: 6 | 7 | 8;
}): Promise<number | null> {
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    algorithm,
    digits,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(now / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
