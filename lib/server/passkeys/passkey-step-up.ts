import 'server-only';
import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { ZAuthenticationResponse } from '@/lib/schemas/passkeys';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { nowMs } from '@/lib/server/clock';
import { env } from '@/lib/server/env';
import { CHALLENGE_SECONDS, challengeOf, keepChallenge, relyingParty, takeChallenge, transportsOf } from '@/lib/server/passkeys/challenges';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { recordGrant } from '@/lib/server/step-up/grant-step-up';

interface Confirming {
  user: { id: string; organizationId: string };
  sessionId: string;
  purpose: TStepUpPurpose;
}

/** What the browser needs to ask one of this user's passkeys to confirm `purpose`; the challenge is kept for this session. */
export async function passkeyStepUpOptions({ prisma }: Pick<Services, 'prisma'>, { user, sessionId, purpose }: Confirming): Promise<Result<PublicKeyCredentialRequestOptionsJSON>> {
  const passkeys = await prisma.passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  if (passkeys.length === 0) return fail('INVALID_STATE', 'You have no passkey yet: add one on Settings → Security, or enter a code.');
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    allowCredentials: passkeys.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey.transports) })),
    userVerification: 'required',
    timeout: CHALLENGE_SECONDS * 1000,
  });
  await keepChallenge({ prisma }, { userId: user.id, sessionId, purpose }, options.challenge);
  return ok(options);
}

/**
 * Grants the step-up for `purpose` on a passkey's answer: the passkey must be this user's and still
 * registered, the challenge the one handed to this session for this purpose (taken once, so a
 * replayed answer is refused), from this server's origin and host name, with user verification.
 * Every outcome is audited like a code.
 */
export async function grantStepUpWithPasskey(
  { prisma }: Pick<Services, 'prisma'>,
  { user, sessionId, purpose, response, actor, now = nowMs(), ttlSeconds = env().STEP_UP_GRANT_SECONDS }: Confirming & { response: unknown; actor: Actor; now?: number; ttlSeconds?: number },
): Promise<Result<{ expiresAt: Date }>> {
  const audit = (outcome: 'SUCCESS' | 'DENIED', details: Record<string, string>) =>
    recordAuditEvent(prisma, { actor, action: 'step_up.verify', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome, details: { purpose, method: 'passkey', ...details } });
  const refuse = async (reason: string, message: string, error?: string) => {
    await audit('DENIED', { reason, ...(error ? { error: error.slice(0, 300) } : {}) });
    return fail('VALIDATION', message);
  };

  const parsed = ZAuthenticationResponse.safeParse(response);
  if (!parsed.success) return refuse('malformed', 'Your browser sent no usable passkey answer. Try again.');
  const answer = parsed.data;
  const passkey = await prisma.passkey.findUnique({ where: { credentialId: answer.id } });
  if (!passkey || passkey.userId !== user.id) return refuse('unknown_passkey', 'That passkey is not registered to your account (it may have been removed). Use one listed on Settings → Security.');
  const challenge = challengeOf(answer.response.clientDataJSON);
  if (!(await takeChallenge({ prisma }, { userId: user.id, sessionId, purpose }, challenge, now))) {
    return refuse('challenge', 'This confirmation expired or was already used. Try again.');
  }
  const { rpID, origin } = relyingParty();
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: answer as AuthenticationResponseJSON,
      expectedChallenge: challenge!,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { id: passkey.credentialId, publicKey: Uint8Array.from(passkey.publicKey), counter: Number(passkey.counter), transports: transportsOf(passkey.transports) },
      requireUserVerification: true,
    });
  } catch (error) {
    return refuse('invalid_response', 'Your passkey’s answer did not check out (another site, or no PIN or biometric check). Try again.', (error as Error).message);
  }
  if (!verification.verified) return refuse('not_verified', 'Your passkey’s answer did not check out. Try again.');
  // The counter only moves forward (a copied authenticator would repeat one); authenticators that
  // keep no counter always say 0.
  const { newCounter } = verification.authenticationInfo;
  const moved = await prisma.passkey.updateMany({
    where: { id: passkey.id, counter: passkey.counter },
    data: { counter: BigInt(newCounter), lastUsedAt: new Date(now) },
  });
  if (moved.count === 0) return refuse('counter', 'That passkey was used at the same moment elsewhere. Try again.');
  const grant = await recordGrant(prisma, { userId: user.id, sessionId, purpose, now, ttlSeconds });
  await audit('SUCCESS', { passkey: passkey.name });
  return ok(grant);
}
