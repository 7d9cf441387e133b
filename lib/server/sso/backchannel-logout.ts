import 'server-only';
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { now, nowMs } from '@/lib/server/clock';
import { guardedFetch } from '@/lib/server/net/guarded-fetch';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { DiscoveryError, discoverProvider } from '@/lib/server/sso/sso-connection';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused: it can only be replayed within it. */
const MAX_TOKEN_AGE_SECONDS = 120;
const DISCOVERY_TTL_MS = 5 * 60_000;

// Per issuer: its keys (jose caches them and refetches on an unknown key id, at most every 30 s).
const keySets = new Map<string, { jwksUri: string; keys: ReturnType<typeof createRemoteJWKSet>; until: number }>();

async function keysOf(issuer: string) {
  const cached = keySets.get(issuer);
  if (cached && cached.until > nowMs()) return cached.keys;
  const { jwksUri } = await discoverProvider(issuer);
  const keys = cached?.jwksUri === jwksUri ? cached.keys : createRemoteJWKSet(new URL(jwksUri), { [customFetch]: (url, init) => guardedFetch(url, init) });
  keySets.set(issuer, { jwksUri, keys, until: nowMs() + DISCOVERY_TTL_MS });
  return keys;
}

/** Why a logout token was refused, in words an operator reading the provider's log understands. */
function refusalOf(error: unknown): string {
  if (error instanceof DiscoveryError) return error.message;
  if (error instanceof errors.JWTExpired) return 'The logout token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) return `The logout token's ${error.claim} claim is not valid (${error.reason}).`;
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'The logout token is not signed by one of the provider’s keys.';
  if (error instanceof errors.JOSEError) return `The logout token could not be verified (${error.code}).`;
  throw error;
}

/**
 * OpenID Connect Back-Channel Logout: the organization's provider posts a logout token (a JWT it
 * signed) when someone signs out or is disabled there. It must come from the configured issuer, for
 * this client, recently, with the logout event and a `sub` or `sid` and no nonce. Every Strongroom
 * session that came from that provider session (`sid`), or from that subject, is ended with its
 * step-up grants. Refusals are audited and answered 400.
 */
export async function backchannelLogout({ prisma }: Pick<Services, 'prisma'>, { slug, logoutToken }: { slug: string; logoutToken: unknown }): Promise<Result<{ ended: number }>> {
  const organization = await prisma.organization.findUnique({ where: { slug }, select: { id: true, sso: { select: { issuer: true, clientId: true } } } });
  if (!organization?.sso) return fail('NOT_FOUND', 'This organization has no single sign-on.');
  const { issuer, clientId } = organization.sso;
  const refuse = async (message: string) => {
    await recordAuditEvent(prisma, { actor: { type: 'SYSTEM', label: issuer }, action: 'auth.backchannel_logout', organizationId: organization.id, outcome: 'DENIED', details: { reason: message } });
    return fail('VALIDATION', message);
  };
  if (typeof logoutToken !== 'string' || !logoutToken || logoutToken.length > 16_384) return refuse('The request has no logout_token.');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(logoutToken, await keysOf(issuer), { issuer, audience: clientId, maxTokenAge: MAX_TOKEN_AGE_SECONDS, currentDate: now(), requiredClaims: ['iat', 'jti'] }));
  } catch (error) {
    return refuse(refusalOf(error));
  }
  const events = claims.events as Record<string, unknown> | undefined;
  if (!events || typeof events !== 'object' || typeof events[LOGOUT_EVENT] !== 'object') return refuse('The logout token has no back-channel logout event.');
  if ('nonce' in claims) return refuse('A logout token carries no nonce.');
  const sub = typeof claims.sub === 'string' ? claims.sub : null;
  const sid = typeof claims.sid === 'string' ? claims.sid : null;
  if (!sub && !sid) return refuse('The logout token names neither a subject nor a session.');

  const ended = await prisma.$transaction(async (tx) => {
    const sessions = await tx.session.findMany({
      where: { endedAt: null, user: { organizationId: organization.id }, ...(sid ? { ssoSid: sid } : {}), ...(sub ? { ssoSubject: sub } : {}) },
      select: { id: true, userId: true },
    });
    const ids = sessions.map((s) => s.id);
    await tx.session.updateMany({ where: { id: { in: ids } }, data: { endedAt: now() } });
    await tx.stepUpGrant.deleteMany({ where: { sessionId: { in: ids } } });
    await appendAuditEvent(tx, {
      actor: { type: 'SYSTEM', label: issuer },
      action: 'auth.backchannel_logout',
      target: sessions[0] ? { type: 'User', id: sessions[0].userId } : null,
      organizationId: organization.id,
      outcome: 'SUCCESS',
      details: { sub, sid, sessionsEnded: ids.length },
    });
    return ids.length;
  });
  return ok({ ended });
}
