import 'server-only';
import { generateRegistrationOptions, verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { MAX_PASSKEYS, ZPasskeysForAdmins, ZRegisterPasskey, ZRemovePasskey } from '@/lib/schemas/passkeys';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { CHALLENGE_SECONDS, challengeOf, keepChallenge, relyingParty, takeChallenge, transportsOf } from '@/lib/server/passkeys/challenges';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { useStepUpGrant } from '@/lib/server/step-up/grant-step-up';
import { Prisma } from '@/prisma/generated/client';

/** Who manages their own passkeys: the signed-in user in this session. */
interface Owner {
  id: string;
  email: string;
  name: string;
  organizationId: string;
  sessionId: string;
  totpEnabled: boolean;
}

const REGISTER = 'register';

/** Refuses with an audit event naming the reason; the message is what the person reads. */
async function refuse(prisma: Services['prisma'], { user, actor, action, reason }: { user: Owner; actor: Actor; action: string; reason: string }, failure: ReturnType<typeof fail>) {
  await recordAuditEvent(prisma, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason } });
  return failure;
}

/**
 * Adding or removing a passkey needs two-factor and a `passkeys` step-up in this session (an
 * authenticator code, or a passkey the user already has), so a borrowed session cannot bind the
 * borrower's own passkey to the account.
 */
async function passkeyGate(prisma: Services['prisma'], user: Owner, actor: Actor): Promise<Result<null>> {
  const refusal = !user.totpEnabled
    ? fail('TWO_FACTOR_REQUIRED', 'Set up two-factor authentication first: a passkey is added to it, not instead of it.')
    : !(await useStepUpGrant(prisma, { userId: user.id, sessionId: user.sessionId, purpose: 'passkeys' }))
      ? fail('STEP_UP_REQUIRED', 'Confirm it is you first. Nothing was changed.')
      : null;
  if (!refusal) return ok(null);
  await recordAuditEvent(prisma, { actor, action: 'step_up.required', organizationId: user.organizationId, outcome: 'DENIED', details: { purpose: 'passkeys', reason: refusal.error.code } });
  return refusal;
}

/** The user's passkeys, newest first: what the Security page lists (a public key is not shown, nor needed). */
export function listPasskeys({ prisma }: Pick<Services, 'prisma'>, { userId }: { userId: string }) {
  return prisma.passkey.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, select: { id: true, name: true, createdAt: true, lastUsedAt: true } });
}

/** What the browser needs to create a passkey for this user; its challenge is kept for this session. */
export async function passkeyRegistrationOptions(
  { prisma }: Pick<Services, 'prisma'>,
  { user, actor }: { user: Owner; actor: Actor },
): Promise<Result<PublicKeyCredentialCreationOptionsJSON>> {
  const gate = await passkeyGate(prisma, user, actor);
  if (!gate.ok) return gate;
  const existing = await prisma.passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  if (existing.length >= MAX_PASSKEYS) {
    return refuse(prisma, { user, actor, action: 'passkey.register', reason: 'too_many' }, fail('INVALID_STATE', `You have ${MAX_PASSKEYS} passkeys, the most one person may keep. Remove one first.`));
  }
  const { rpName, rpID } = relyingParty();
  const options = await generateRegistrationOptions({
    rpName,
    rpID,
    userName: user.email,
    userDisplayName: user.name,
    // The account's id, so one authenticator keeps one passkey per account.
    userID: Uint8Array.from(Buffer.from(user.id.replaceAll('-', ''), 'hex')),
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey.transports) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    timeout: CHALLENGE_SECONDS * 1000,
  });
  await keepChallenge({ prisma }, { userId: user.id, sessionId: user.sessionId, purpose: REGISTER }, options.challenge);
  return ok(options);
}

/**
 * Checks the browser's new passkey against the challenge handed to this session (once), this
 * server's origin and host name, and user verification (a PIN or biometric, not a touch), then keeps
 * its public key under the given name.
 */
export async function registerPasskey({ prisma }: Pick<Services, 'prisma'>, { user, actor, input }: { user: Owner; actor: Actor; input: unknown }): Promise<Result<{ id: string }>> {
  const deny = (reason: string, failure: ReturnType<typeof fail>) => refuse(prisma, { user, actor, action: 'passkey.register', reason }, failure);
  const gate = await passkeyGate(prisma, user, actor);
  if (!gate.ok) return gate;
  const parsed = ZRegisterPasskey.safeParse(input);
  if (!parsed.success) return deny('malformed', fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const { name, response } = parsed.data;
  const challenge = challengeOf(response.response.clientDataJSON);
  if (!(await takeChallenge({ prisma }, { userId: user.id, sessionId: user.sessionId, purpose: REGISTER }, challenge))) {
    return deny('challenge', fail('INVALID_STATE', 'This passkey request expired or was already answered. Start again.'));
  }
  const { rpID, origin } = relyingParty();
  let registration;
  try {
    const verification = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge!,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    });
    registration = verification.verified ? verification.registrationInfo : undefined;
  } catch (error) {
    await recordAuditEvent(prisma, { actor, action: 'passkey.register', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason: 'invalid_response', error: String((error as Error).message).slice(0, 300) } });
    return fail('VALIDATION', 'The passkey’s answer did not check out (another site, or no PIN or biometric check). Nothing was added.');
  }
  if (!registration) return deny('not_verified', fail('VALIDATION', 'The passkey’s answer did not check out. Nothing was added.'));
  const { credential } = registration;
  try {
    const passkey = await prisma.$transaction(async (tx) => {
      if ((await tx.passkey.count({ where: { userId: user.id } })) >= MAX_PASSKEYS) throw new TooMany();
      const created = await tx.passkey.create({
        data: { userId: user.id, credentialId: credential.id, publicKey: Uint8Array.from(credential.publicKey), counter: BigInt(credential.counter), transports: credential.transports ?? [], name },
        select: { id: true },
      });
      await appendAuditEvent(tx, { actor, action: 'passkey.register', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { passkey: name } });
      return created;
    });
    return ok(passkey);
  } catch (error) {
    if (error instanceof TooMany) return deny('too_many', fail('INVALID_STATE', `You have ${MAX_PASSKEYS} passkeys, the most one person may keep. Remove one first.`));
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return deny('duplicate', fail('CONFLICT', 'This passkey is already registered.'));
    }
    throw error;
  }
}

class TooMany extends Error {}

/** Removes one of the user's own passkeys, behind the `passkeys` step-up; it is refused from then on. */
export async function removePasskey({ prisma }: Pick<Services, 'prisma'>, { user, actor, input }: { user: Owner; actor: Actor; input: unknown }): Promise<Result<null>> {
  const gate = await passkeyGate(prisma, user, actor);
  if (!gate.ok) return gate;
  const parsed = ZRemovePasskey.safeParse(input);
  if (!parsed.success) return fail('VALIDATION', 'Nothing was removed.');
  return prisma.$transaction(async (tx) => {
    const passkey = await tx.passkey.findFirst({ where: { id: parsed.data.passkeyId, userId: user.id }, select: { name: true } });
    if (!passkey) return fail('NOT_FOUND', 'That passkey is not yours, or was already removed.');
    await tx.passkey.delete({ where: { id: parsed.data.passkeyId } });
    await appendAuditEvent(tx, { actor, action: 'passkey.remove', target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { passkey: passkey.name } });
    return ok(null);
  });
}

/** Turns "administrators confirm with a passkey" on or off for the organization (behind the `sso` step-up). */
export async function setPasskeysForAdmins({ prisma }: Pick<Services, 'prisma'>, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: unknown }): Promise<Result<null>> {
  const parsed = ZPasskeysForAdmins.safeParse(input);
  if (!parsed.success) return fail('VALIDATION', 'Nothing was changed.');
  const { required } = parsed.data;
  await prisma.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { requirePasskeysForAdmins: true } });
    await tx.organization.update({ where: { id: organizationId }, data: { requirePasskeysForAdmins: required } });
    await appendAuditEvent(tx, { actor, action: 'organization.passkeys_for_admins', target: { type: 'Organization', id: organizationId }, organizationId, outcome: 'SUCCESS', details: { requiredBefore: before.requirePasskeysForAdmins, required } });
  });
  return ok(null);
}

/** For Admin → Sign-in: whether passkeys are required, and which administrators have one. */
export async function adminPasskeys({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  const [organization, admins] = await Promise.all([
    prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { requirePasskeysForAdmins: true } }),
    prisma.user.findMany({ where: { organizationId, role: 'ADMIN', disabledAt: null }, orderBy: { email: 'asc' }, select: { email: true, _count: { select: { passkeys: true } } } }),
  ]);
  return { required: organization.requirePasskeysForAdmins, admins: admins.map((admin) => ({ email: admin.email, passkeys: admin._count.passkeys })) };
}
