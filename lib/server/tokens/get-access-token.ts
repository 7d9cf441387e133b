import 'server-only';
import { SYSTEM_ACTOR, type Actor } from '@/lib/server/audit/append-audit-event';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { nowMs } from '@/lib/server/clock';
import { tokenOwner } from '@/lib/server/credentials/credential-secrets';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import { logger } from '@/lib/server/logger';
import { leaseWaits, providerCalls, tokenRequests } from '@/lib/server/metrics/metrics';
import { defaultPolicy, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { jitter } from '@/lib/server/tokens/request-fresh-token';
import { tokenSourceFor } from '@/lib/server/tokens/token-sources';
import { releaseLease, sharedFlight, tryLease } from '@/lib/server/tokens/single-flight';
import { CredentialChanged, readStoredToken, recordFailure, storeToken, transientCode } from '@/lib/server/tokens/token-grant';
import { deferRefresh, mayRefresh, recallToken, type AccessToken } from '@/lib/server/tokens/token-memory';

/** How long a caller without a valid token waits for another instance that holds the lease. */
const WAIT_FOR_OTHER_HOLDER_MS = 15_000;
/** A background refresh that could not run (another instance's lease, a failure) is tried again after this. */
const RECHECK_MS = 1_000;
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
 * A valid access token for a credential that issues them (OAuth, KSeF: token-sources.ts), from memory, else from the sealed cache in the
 * database, else from the token endpoint. Past its refresh point a token is still served at once
 * while one refresh runs in the background; a transient failure of that refresh keeps it served until
 * its safety margin (token-memory.ts). Only a caller with no valid token waits for a fetch. One
 * request per credential at a time: in-process by sharing the promise, across processes by a
 * database lease. Permanent refusals clear the tokens and put the credential in NEEDS_ATTENTION;
 * transient failures back off and cool down.
 */
export function getAccessToken(services: Services, options: Options): Promise<Result<AccessToken>> {
  const remembered = recallToken(options.credentialId, options.credentialVersion);
  if (remembered) {
    if (!remembered.fresh) refreshInBackground(services, options);
    tokenRequests.inc({ outcome: 'memory' });
    return Promise.resolve(ok(remembered.token));
  }
  return sharedFlight(options.credentialId, () => obtain(services, options)).then(({ result, from }) => {
    tokenRequests.inc({ outcome: result.ok ? from : TRANSIENT.has(result.error.code) ? 'failed_transient' : 'failed_permanent' });
    return result;
  });
}

/** Failures that pass by themselves; any other needs a person (or a different request). */
const TRANSIENT = new Set(['PROVIDER_UNREACHABLE', 'RATE_LIMITED', 'KEYS_UNAVAILABLE']);

/** The foreground path: serve what is stored if it is valid, else fetch a token and wait for it; and which it was. */
async function obtain(services: Services, options: Options): Promise<{ result: Result<AccessToken>; from: 'database' | 'fetched' }> {
  const { credentialId } = options;
  const stored = (result: Result<AccessToken>) => ({ result, from: 'database' as const });
  // A real-time wait, not a moment in the token's life.
  const deadline = performance.now() + WAIT_FOR_OTHER_HOLDER_MS;
  for (;;) {
    const { grant, token, fresh } = await readStoredToken(services, credentialId);
    if (token) {
      if (!fresh) refreshInBackground(services, options);
      return stored(ok(token));
    }
    // A refused credential is not retried: a person must fix it (new secret, then a test).
    if (grant?.credential.status === 'NEEDS_ATTENTION') return stored(fail('INVALID_STATE', `This credential needs attention: ${grant.lastError ?? 'see its page'}`));
    if (grant?.nextAttemptAt && grant.nextAttemptAt.getTime() > nowMs()) {
      const seconds = Math.ceil((grant.nextAttemptAt.getTime() - nowMs()) / 1000);
      return stored(fail(transientCode(grant.lastErrorCode), `The token endpoint failed recently (${grant.lastError ?? 'unknown error'}); next attempt in ${seconds} s.`));
    }
    if (await tryLease(services.prisma, credentialId)) break;
    if (performance.now() > deadline) return stored(fail('RATE_LIMITED', 'Another instance is fetching this token and has not finished; try again shortly.'));
    leaseWaits.inc();
    await sleep(jitter(150));
  }
  try {
    // Another instance may have refreshed between our read and our lease.
    const again = await readStoredToken(services, credentialId);
    if (again.token) return stored(ok(again.token));
    return { result: await fetchAndStore(services, options), from: 'fetched' };
  } finally {
    await releaseLease(services.prisma, credentialId);
  }
}

/**
 * Starts one refresh of a token that is due but still valid, without anyone waiting for it: skipped
 * while a previous try cools down or another instance holds the lease; failures are recorded
 * (cooldown, or NEEDS_ATTENTION for a refused client) by fetchAndStore.
 */
function refreshInBackground(services: Services, options: Options): void {
  if (!mayRefresh(options.credentialId)) return;
  deferRefresh(options.credentialId, nowMs() + RECHECK_MS);
  void sharedFlight(`refresh:${options.credentialId}`, () => refreshNow(services, options)).catch((error: unknown) =>
    logger().error({ event: 'token.refresh_failed', credentialId: options.credentialId, err: error instanceof Error ? error.message : String(error) }, 'background refresh failed'),
  );
}

async function refreshNow(services: Services, options: Options): Promise<void> {
  const { credentialId } = options;
  const { grant, token, fresh } = await readStoredToken(services, credentialId);
  // Refreshed meanwhile, or gone: a caller without a token fetches in the foreground.
  if (!grant || !token || fresh || grant.credential.status === 'NEEDS_ATTENTION') return;
  if (grant.nextAttemptAt && grant.nextAttemptAt.getTime() > nowMs()) return deferRefresh(credentialId, grant.nextAttemptAt.getTime());
  if (!(await tryLease(services.prisma, credentialId))) return;
  try {
    const again = await readStoredToken(services, credentialId);
    if (again.grant && again.token && !again.fresh) await fetchAndStore(services, options);
  } finally {
    await releaseLease(services.prisma, credentialId);
  }
}

/**
 * The scheduler's proactive refresh of one credential whose token is due: under the credential's
 * lease (so no request and no other instance fetches at the same time), it shows REFRESHING while
 * the token endpoint is asked, then ACTIVE with the new token; a refusal puts it in NEEDS_ATTENTION
 * (fetchAndStore), a transient failure back in ACTIVE with its cooldown, the old token still served.
 */
export function refreshAhead(services: Services, { credentialId, policy }: { credentialId: string; policy?: OutboundPolicy }): Promise<'refreshed' | 'skipped' | 'failed'> {
  return sharedFlight(`refresh:${credentialId}`, async () => {
    if (!(await tryLease(services.prisma, credentialId))) return 'skipped';
    try {
      const credential = await services.prisma.credential.findUniqueOrThrow({ where: { id: credentialId }, select: { id: true, organizationId: true } });
      const started = await services.prisma.$transaction((tx) =>
        changeCredentialStatus(tx, { credential, to: 'REFRESHING', onlyFrom: ['ACTIVE'], event: { actor: SYSTEM_ACTOR, action: 'token.refresh_ahead', outcome: 'SUCCESS' } }),
      );
      if (!started.changed) return 'skipped';
      const result = await fetchAndStore(services, { credentialId, actor: SYSTEM_ACTOR, ...(policy ? { policy } : {}) });
      if (!result.ok) await settleRefreshing(services, credential);
      return result.ok ? 'refreshed' : 'failed';
    } finally {
      await releaseLease(services.prisma, credentialId);
    }
  });
}

/** A refresh that did not end in a new token or NEEDS_ATTENTION leaves the credential ACTIVE again. */
export async function settleRefreshing({ prisma }: Pick<Services, 'prisma'>, credential: { id: string; organizationId: string }): Promise<boolean> {
  const moved = await prisma.$transaction((tx) =>
    changeCredentialStatus(tx, { credential, to: 'ACTIVE', onlyFrom: ['REFRESHING'], event: { actor: SYSTEM_ACTOR, action: 'token.refresh_ahead', outcome: 'FAILURE' } }),
  );
  return moved.changed;
}

async function fetchAndStore(services: Services, { credentialId, actor, policy = defaultPolicy() }: Options): Promise<Result<AccessToken>> {
  const credential = await services.prisma.credential.findUniqueOrThrow({ where: { id: credentialId }, select: { id: true, organizationId: true, profile: true } });
  const source = tokenSourceFor(credential.profile);
  if (!source) return fail('INVALID_STATE', 'This type of credential does not issue access tokens.');
  const opened = await openCredentialForUse(services, { actor, credentialId, fields: source.secretFields, purpose: 'token.request' });
  if (!opened.ok) return opened;
  const { config, secrets, version } = opened.data;
  const stored = await readSecrets(services.prisma, services.keyring, tokenOwner(credential), ['refreshToken']);
  const started = performance.now();
  const fetched = await source.fetch(config, secrets, stored.refreshToken, policy);
  if (!fetched) return fail('INVALID_STATE', 'This credential is incomplete: it cannot ask for an access token.');
  const { outcome, grantType } = fetched;
  providerCalls.observe({ outcome: outcome.ok ? 'success' : outcome.kind }, (performance.now() - started) / 1000);
  if (!outcome.ok) return recordFailure(services, credential, outcome);
  try {
    return await storeToken(services, { ...credential, version }, outcome, grantType, stored.refreshToken);
  } catch (error) {
    if (!(error instanceof CredentialChanged)) throw error;
    return fail('CONFLICT', 'The credential was changed while its token was being fetched; ask again.');
  }
}
