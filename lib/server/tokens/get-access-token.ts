import 'server-only';
import { randomUUID } from 'node:crypto';
import { appendAuditEvent, SYSTEM_ACTOR, type Actor } from '@/lib/server/audit/append-audit-event';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { tokenOwner, type Vault } from '@/lib/server/credentials/vault';
import { deleteSecrets, readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { defaultPolicy, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { fail, ok, type Result } from '@/lib/server/result';
import { requestToken, type TokenOutcome, type TokenRequest } from '@/lib/server/tokens/request-token';
import type { Prisma } from '@/prisma/generated/client';

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  expiresAt: Date;
}

/** Refresh this long before expiry (or at half the token's life, if that comes first). */
export const REFRESH_BUFFER_SECONDS = 300;
const LEASE_SECONDS = 30;
const WAIT_FOR_OTHER_HOLDER_MS = 15_000;
/** Cooldown after transient failures: 5 s, 10 s, 20 s … at most 5 minutes (plus jitter). */
const COOLDOWN = { baseMs: 5_000, capMs: 300_000 };
/** Retries inside one request, for blips: 200 ms, 400 ms (plus jitter), never past 2 s. */
const RETRY = { attempts: 2, baseMs: 200, capMs: 2_000 };
/** A process's tokens are reused from memory at most this long, so a revocation elsewhere takes hold. */
const MEMORY_SECONDS = 30;

const PROCESS_ID = randomUUID();
/** Tokens by credential, with the credential version they were obtained for: a change of the credential bumps it. */
const memory = new Map<string, AccessToken & { refreshAt: number; until: number; credentialVersion: number }>();
const inflight = new Map<string, Promise<Result<AccessToken>>>();

const refreshAt = (obtainedAt: Date, expiresAt: Date) =>
  expiresAt.getTime() - Math.min(REFRESH_BUFFER_SECONDS * 1000, (expiresAt.getTime() - obtainedAt.getTime()) / 2);
const jitter = (ms: number) => ms * (0.5 + Math.random() / 2);
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

class CredentialChanged extends Error {}

/**
 * A valid access token for an OAuth credential. Served from memory, else from the sealed cache in
 * the database, else from the token endpoint, refreshing ahead of expiry. One request per
 * credential at a time: in-process by sharing the promise, across processes by a database lease
 * (owner + expiry; a crashed holder's lease lapses). Permanent refusals clear the tokens and put the
 * credential in NEEDS_ATTENTION; transient failures back off and cool down.
 */
export function getAccessToken(vault: Vault, options: Options): Promise<Result<AccessToken>> {
  const hit = memory.get(options.credentialId);
  const now = Date.now();
  if (hit && hit.credentialVersion === options.credentialVersion && now < hit.refreshAt && now < hit.until) return Promise.resolve(ok(hit));
  let flight = inflight.get(options.credentialId);
  if (!flight) {
    flight = obtain(vault, options).finally(() => inflight.delete(options.credentialId));
    inflight.set(options.credentialId, flight);
  }
  return flight;
}

/** Forgets a credential's access token (after a 401 from the API). */
export async function invalidateAccessToken({ prisma }: Vault, credentialId: string): Promise<void> {
  memory.delete(credentialId);
  await prisma.$transaction(async (tx) => {
    await deleteSecrets(tx, { ownerTable: 'TokenGrant', ownerId: credentialId }, ['accessToken']);
    await tx.tokenGrant.updateMany({ where: { credentialId }, data: { expiresAt: null } });
  });
}

/**
 * Inside the transaction that changes a credential's secret, client, scope or endpoint: destroys its
 * tokens (access and refresh: they belong to the old client) and clears the failure state, so the
 * next request starts afresh with the new values. The lease is left to its holder, whose result is
 * then discarded (see storeToken).
 */
export async function resetTokenGrant(tx: Prisma.TransactionClient, credential: { id: string; organizationId: string }): Promise<void> {
  memory.delete(credential.id);
  await deleteSecrets(tx, tokenOwner(credential));
  await tx.tokenGrant.updateMany({
    where: { credentialId: credential.id },
    data: { tokenType: null, scope: null, obtainedAt: null, expiresAt: null, failureCount: 0, nextAttemptAt: null, lastError: null, lastErrorCode: null },
  });
}

/** Drops this process's memory of a credential's token (after the transaction that reset it commits). */
export function forgetAccessToken(credentialId: string): void {
  memory.delete(credentialId);
}

async function readStored(vault: Vault, credentialId: string) {
  const grant = await vault.prisma.tokenGrant.findUnique({
    where: { credentialId },
    include: { credential: { select: { id: true, organizationId: true, status: true, version: true } } },
  });
  if (!grant?.expiresAt || !grant.obtainedAt || Date.now() >= refreshAt(grant.obtainedAt, grant.expiresAt)) return { grant, token: null };
  const { accessToken } = await readSecrets(vault.prisma, vault.keyring, tokenOwner(grant.credential), ['accessToken']);
  if (!accessToken) return { grant, token: null };
  const token = { accessToken, tokenType: grant.tokenType ?? 'Bearer', expiresAt: grant.expiresAt };
  memory.set(credentialId, { ...token, refreshAt: refreshAt(grant.obtainedAt, grant.expiresAt), until: Date.now() + MEMORY_SECONDS * 1000, credentialVersion: grant.credential.version });
  return { grant, token };
}

async function tryLease(vault: Vault, credentialId: string): Promise<boolean> {
  await vault.prisma.$executeRaw`INSERT INTO "TokenGrant" ("credentialId", "updatedAt") VALUES (${credentialId}::uuid, now()) ON CONFLICT DO NOTHING`;
  const taken = await vault.prisma.$executeRaw`
    UPDATE "TokenGrant" SET "leaseOwner" = ${PROCESS_ID}, "leaseUntil" = now() + make_interval(secs => ${LEASE_SECONDS})
     WHERE "credentialId" = ${credentialId}::uuid AND ("leaseUntil" IS NULL OR "leaseUntil" < now())`;
  return taken === 1;
}

async function obtain(vault: Vault, options: Options): Promise<Result<AccessToken>> {
  const { credentialId } = options;
  const deadline = Date.now() + WAIT_FOR_OTHER_HOLDER_MS;
  for (;;) {
    const { grant, token } = await readStored(vault, credentialId);
    if (token) return ok(token);
    // A refused credential is not retried: a person must fix it (new secret, then a test).
    if (grant?.credential.status === 'NEEDS_ATTENTION') return fail('INVALID_STATE', `This credential needs attention: ${grant.lastError ?? 'see its page'}`);
    if (grant?.nextAttemptAt && grant.nextAttemptAt.getTime() > Date.now()) {
      const seconds = Math.ceil((grant.nextAttemptAt.getTime() - Date.now()) / 1000);
      return fail(transientCode(grant.lastErrorCode), `The token endpoint failed recently (${grant.lastError ?? 'unknown error'}); next attempt in ${seconds} s.`);
    }
    if (await tryLease(vault, credentialId)) break;
    if (Date.now() > deadline) return fail('RATE_LIMITED', 'Another instance is fetching this token and has not finished; try again shortly.');
    await sleep(jitter(150));
  }
  try {
    // Another instance may have refreshed between our read and our lease.
    const again = await readStored(vault, credentialId);
    if (again.token) return ok(again.token);
    return await fetchAndStore(vault, options, again.grant?.credential ?? null);
  } finally {
    await vault.prisma.tokenGrant.updateMany({ where: { credentialId, leaseOwner: PROCESS_ID }, data: { leaseOwner: null, leaseUntil: null } });
  }
}

async function fetchAndStore(vault: Vault, { credentialId, actor, policy = defaultPolicy() }: Options, known: { id: string; organizationId: string } | null): Promise<Result<AccessToken>> {
  const opened = await openCredentialForUse(vault, { actor, credentialId, fields: ['clientSecret'], purpose: 'token.request' });
  if (!opened.ok) return opened;
  const { config, secrets, version } = opened.data;
  if (!config.tokenUrl || !config.clientId || !secrets.clientSecret) return fail('INVALID_STATE', 'This credential is not an OAuth client (no token endpoint, client ID or secret).');
  const credential = known ?? (await vault.prisma.credential.findUniqueOrThrow({ where: { id: credentialId }, select: { id: true, organizationId: true } }));
  const stored = await readSecrets(vault.prisma, vault.keyring, tokenOwner(credential), ['refreshToken']);
  const base: TokenRequest = {
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    clientSecret: secrets.clientSecret,
    clientAuth: config.clientAuth === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
    ...(config.scope ? { scope: config.scope } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };
  let grantType: 'refresh_token' | 'client_credentials' = stored.refreshToken ? 'refresh_token' : 'client_credentials';
  let outcome = await withRetries(() => requestToken({ ...base, ...(stored.refreshToken ? { refreshToken: stored.refreshToken } : {}) }, policy));
  if (!outcome.ok && grantType === 'refresh_token' && outcome.kind === 'permanent') {
    // A rejected refresh token: these profiles hold a client secret, so start over with it.
    grantType = 'client_credentials';
    outcome = await withRetries(() => requestToken(base, policy));
  }
  if (!outcome.ok) return recordFailure(vault, credential, outcome);
  try {
    return await storeToken(vault, { ...credential, version }, outcome, grantType, stored.refreshToken);
  } catch (error) {
    if (!(error instanceof CredentialChanged)) throw error;
    return fail('CONFLICT', 'The credential was changed while its token was being fetched; ask again.');
  }
}

async function withRetries(call: () => Promise<TokenOutcome>): Promise<TokenOutcome> {
  let outcome = await call();
  for (let attempt = 0; attempt < RETRY.attempts && !outcome.ok && outcome.kind === 'transient'; attempt++) {
    const wait = Math.max(jitter(Math.min(RETRY.baseMs * 2 ** attempt, RETRY.capMs)), (outcome.retryAfterSeconds ?? 0) * 1000);
    if (wait > RETRY.capMs) break; // the provider asks for longer: leave it to the cooldown
    await sleep(wait);
    outcome = await call();
  }
  return outcome;
}

async function storeToken(
  vault: Vault,
  credential: { id: string; organizationId: string; version: number },
  token: TokenOutcome & { ok: true },
  grantType: string,
  previousRefreshToken: string | undefined,
): Promise<Result<AccessToken>> {
  const obtainedAt = new Date();
  const expiresAt = new Date(obtainedAt.getTime() + token.expiresIn * 1000);
  await vault.prisma.$transaction(async (tx) => {
    // The token belongs to the secret and settings it was asked with. If the credential changed
    // meanwhile, drop it: FOR SHARE waits for a concurrent change to commit and then sees it.
    const current = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Credential" WHERE id = ${credential.id}::uuid AND version = ${credential.version} FOR SHARE`;
    if (current.length === 0) throw new CredentialChanged();
    const owner = tokenOwner(credential);
    await writeSecret(tx, vault.keyring, owner, 'accessToken', token.accessToken);
    // Keep the old refresh token when the response does not send a new one.
    if (token.refreshToken) await writeSecret(tx, vault.keyring, owner, 'refreshToken', token.refreshToken);
    else if (!previousRefreshToken) await deleteSecrets(tx, owner, ['refreshToken']);
    await tx.tokenGrant.update({
      where: { credentialId: credential.id },
      data: { tokenType: token.tokenType, scope: token.scope ?? null, obtainedAt, expiresAt, failureCount: 0, nextAttemptAt: null, lastError: null, lastErrorCode: null },
    });
    await tx.credential.updateMany({ where: { id: credential.id, status: { in: ['NEEDS_ATTENTION', 'REFRESHING', 'EXPIRED'] } }, data: { status: 'ACTIVE', lastError: null } });
    await appendAuditEvent(tx, { actor: SYSTEM_ACTOR, action: 'token.obtain', target: { type: 'Credential', id: credential.id }, organizationId: credential.organizationId, outcome: 'SUCCESS', details: { grantType, expiresIn: token.expiresIn } });
  });
  const result = { accessToken: token.accessToken, tokenType: token.tokenType, expiresAt };
  memory.set(credential.id, { ...result, refreshAt: refreshAt(obtainedAt, expiresAt), until: Date.now() + MEMORY_SECONDS * 1000, credentialVersion: credential.version });
  return ok(result);
}

async function recordFailure(vault: Vault, credential: { id: string; organizationId: string }, failure: TokenOutcome & { ok: false }): Promise<Result<AccessToken>> {
  memory.delete(credential.id);
  const permanent = failure.kind === 'permanent';
  await vault.prisma.$transaction(async (tx) => {
    const grant = await tx.tokenGrant.findUniqueOrThrow({ where: { credentialId: credential.id }, select: { failureCount: true } });
    const failures = grant.failureCount + 1;
    const cooldownMs = Math.max(jitter(Math.min(COOLDOWN.baseMs * 2 ** (failures - 1), COOLDOWN.capMs)), (failure.retryAfterSeconds ?? 0) * 1000);
    if (permanent) {
      await deleteSecrets(tx, tokenOwner(credential));
      await tx.credential.updateMany({ where: { id: credential.id, status: { not: 'REVOKED' } }, data: { status: 'NEEDS_ATTENTION', lastError: `${failure.message} Check the client ID and secret, then test again.` } });
    }
    await tx.tokenGrant.update({
      where: { credentialId: credential.id },
      data: {
        lastError: failure.message,
        lastErrorCode: failure.code,
        obtainedAt: permanent ? null : undefined,
        expiresAt: permanent ? null : undefined,
        failureCount: permanent ? 0 : failures,
        nextAttemptAt: permanent ? null : new Date(Date.now() + cooldownMs),
      },
    });
    await appendAuditEvent(tx, {
      actor: SYSTEM_ACTOR,
      action: 'token.obtain',
      target: { type: 'Credential', id: credential.id },
      organizationId: credential.organizationId,
      outcome: 'FAILURE',
      details: { kind: failure.kind, code: failure.code, httpStatus: failure.httpStatus ?? null },
    });
  });
  return fail(permanent ? 'INVALID_STATE' : transientCode(failure.code), failure.message);
}

/** A provider that asks us to slow down is rate limiting; anything else transient means we cannot reach a working provider. */
const transientCode = (code: string | null) => (code === 'rate_limited' ? 'RATE_LIMITED' : 'PROVIDER_UNREACHABLE');
