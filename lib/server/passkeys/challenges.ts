import 'server-only';
import type { AuthenticatorTransportFuture } from '@simplewebauthn/server';
import { nowMs } from '@/lib/server/clock';
import { publicUrl } from '@/lib/server/env';
import type { Services } from '@/lib/server/services';

/** How long a browser has to answer a challenge. */
export const CHALLENGE_SECONDS = 120;

/**
 * Who passkeys are bound to: this server's public address (NEXTAUTH_URL). A passkey registered for
 * one host name does not answer for another, and an answer from another origin is refused.
 */
export function relyingParty(base = publicUrl()) {
  const url = new URL(base);
  return { rpName: 'Strongroom', rpID: url.hostname, origin: url.origin };
}

interface Binding {
  userId: string;
  sessionId: string;
  /** "register", or the step-up purpose it opens. */
  purpose: string;
}

/** Keeps the challenge of `options` for this session and purpose, replacing any earlier one (so there is at most one each). */
export async function keepChallenge({ prisma }: Pick<Services, 'prisma'>, binding: Binding, challenge: string, now = nowMs()): Promise<void> {
  await prisma.$transaction([
    prisma.passkeyChallenge.deleteMany({ where: { userId: binding.userId, OR: [{ sessionId: binding.sessionId, purpose: binding.purpose }, { expiresAt: { lte: new Date(now) } }] } }),
    prisma.passkeyChallenge.create({ data: { ...binding, challenge, expiresAt: new Date(now + CHALLENGE_SECONDS * 1000) } }),
  ]);
}

/** The challenge a browser's answer signed (from its client data), or null if it names none. */
export function challengeOf(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (data as { challenge?: unknown }).challenge;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 512 ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * Takes the challenge if it was handed to this session for this purpose and has not expired: one
 * statement, so an answer is accepted at most once however often it is sent.
 */
export async function takeChallenge({ prisma }: Pick<Services, 'prisma'>, binding: Binding, challenge: string | null, now = nowMs()): Promise<boolean> {
  if (!challenge) return false;
  const taken = await prisma.passkeyChallenge.deleteMany({ where: { challenge, ...binding, expiresAt: { gt: new Date(now) } } });
  return taken.count === 1;
}

const TRANSPORTS: readonly AuthenticatorTransportFuture[] = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'];

/** A stored passkey's transports, as the browser hints take them (an unknown one is dropped). */
export const transportsOf = (stored: readonly string[]) => stored.filter((t): t is AuthenticatorTransportFuture => (TRANSPORTS as readonly string[]).includes(t));
