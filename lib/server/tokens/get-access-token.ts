import 'server-only';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import { tokenOwner } from '@/lib/server/credentials/credential-secrets';
import { defaultPolicy, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { jitter, requestFreshToken } from '@/lib/server/tokens/request-fresh-token';
import { releaseLease, sharedFlight, tryLease } from '@/lib/server/tokens/single-flight';
import { CredentialChanged, readStoredToken, recordFailure, storeToken, transientCode } from '@/lib/server/tokens/token-grant';
import { recallToken, type AccessToken } from '@/lib/server/tokens/token-memory';

/** How long a caller waits for another instance that holds the lease before giving up. */
const WAIT_FOR_OTHER_HOLDER_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Options {
  credentialId: string;
  /**
   * The credential's current version, when the caller has just read it: a token kept in memory is
   * served only for that version. Without it the database is asked (a token is never served for a
   * secret, client or scope that has since changed).
   */
  credentialVersion?: number;
  actor: Actor;
  policy?: OutboundPolicy;
}

/**
 * A valid access token for an OAuth credential. Served from memory, else from the sealed cache in
 * the database, else from the token endpoint, refreshing ahead of expiry. One request per
 * credential at a time: in-process by sharing the promise, across processes by a database lease
 * (owner + expiry; a crashed holder's lease lapses). Permanent refusals clear the tokens and put the
 * credential in NEEDS_ATTENTION; transient failures back off and cool down.
 */
export function getAccessToken(services: Services, options: Options): Promise<Result<AccessToken>> {
  const remembered = recallToken(options.credentialId, options.credentialVersion);
  if (remembered) return Promise.resolve(ok(remembered));
  return sharedFlight(options.credentialId, () => obtain(services, options));
}

async function obtain(services: Services, options: Options): Promise<Result<AccessToken>> {
  const { credentialId } = options;
  const deadline = Date.now() + WAIT_FOR_OTHER_HOLDER_MS;
  for (;;) {
    const { grant, token } = await readStoredToken(services, credentialId);
    if (token) return ok(token);
    // A refused credential is not retried: a person must fix it (new secret, then a test).
    if (grant?.credential.status === 'NEEDS_ATTENTION') return fail('INVALID_STATE', `This credential needs attention: ${grant.lastError ?? 'see its page'}`);
    if (grant?.nextAttemptAt && grant.nextAttemptAt.getTime() > Date.now()) {
      const seconds = Math.ceil((grant.nextAttemptAt.getTime() - Date.now()) / 1000);
      return fail(transientCode(grant.lastErrorCode), `The token endpoint failed recently (${grant.lastError ?? 'unknown error'}); next attempt in ${seconds} s.`);
    }
    if (await tryLease(services.prisma, credentialId)) break;
    if (Date.now() > deadline) return fail('RATE_LIMITED', 'Another instance is fetching this token and has not finished; try again shortly.');
    await sleep(jitter(150));
  }
  try {
    // Another instance may have refreshed between our read and our lease.
    const again = await readStoredToken(services, credentialId);
    if (again.token) return ok(again.token);
    return await fetchAndStore(services, options, again.grant?.credential ?? null);
  } finally {
    await releaseLease(services.prisma, credentialId);
  }
}

async function fetchAndStore(services: Services, { credentialId, actor, policy = defaultPolicy() }: Options, known: { id: string; organizationId: string } | null): Promise<Result<AccessToken>> {
  const opened = await openCredentialForUse(services, { actor, credentialId, fields: ['clientSecret'], purpose: 'token.request' });
  if (!opened.ok) return opened;
  const { config, secrets, version } = opened.data;
  if (!config.tokenUrl || !config.clientId || !secrets.clientSecret) return fail('INVALID_STATE', 'This credential is not an OAuth client (no token endpoint, client ID or secret).');
  const credential = known ?? (await services.prisma.credential.findUniqueOrThrow({ where: { id: credentialId }, select: { id: true, organizationId: true } }));
  const stored = await readSecrets(services.prisma, services.keyring, tokenOwner(credential), ['refreshToken']);
  const { outcome, grantType } = await requestFreshToken(
    {
      tokenUrl: config.tokenUrl,
      clientId: config.clientId,
      clientSecret: secrets.clientSecret,
      clientAuth: config.clientAuth === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
      ...(config.scope ? { scope: config.scope } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
    },
    stored.refreshToken,
    policy,
  );
  if (!outcome.ok) return recordFailure(services, credential, outcome);
  try {
    return await storeToken(services, { ...credential, version }, outcome, grantType, stored.refreshToken);
  } catch (error) {
    if (!(error instanceof CredentialChanged)) throw error;
    return fail('CONFLICT', 'The credential was changed while its token was being fetched; ask again.');
  }
}
