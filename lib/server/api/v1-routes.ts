import 'server-only';
import { createHash } from 'node:crypto';
import { ZAccessTokenBody, ZConnectionTestBody, ZCredentialList, ZCredentialStatusBody } from '@/lib/schemas/service-api';
import { MAX_SIGN_REQUEST_BYTES, ZSignatureBody, ZSignRequest } from '@/lib/schemas/signing';
import { NextResponse } from 'next/server';
import { apiError, apiErrorFor, apiFailure, apiJson, rateLimited, readBody, readJsonBody, serviceApi, type ServiceContext } from '@/lib/server/api/service-api';
import { takePoint, type LimitRule } from '@/lib/server/auth/rate-limits';
import { runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';
import { PROXY_MAX_REQUEST_BYTES, proxyCall } from '@/lib/server/proxy/proxy-call';
import { signDigest } from '@/lib/server/signing/sign-digest';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';

// The service API (/api/v1). Each handler is what the route file of its path under app/api/v1
// exports, and what `npm start` calls directly for that path (serviceRoute, below).

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/credentials: status of the credentials of the service account's legal entities. */
export function listCredentials(request: Request) {
  return serviceApi(request, { scope: 'credentials:read', action: 'api.credentials.list' }, async ({ services, account }) => {
    const { entities } = await getOrganizationOverview(services, { organizationId: account.organizationId, filters: {} });
    const credentials = entities
      .filter((entity) => account.legalEntityIds.includes(entity.id))
      .flatMap((entity) => entity.credentials.map((c) => ({ ...c, legalEntity: { id: entity.id, name: entity.name, taxId: entity.taxId } })));
    return apiJson(ZCredentialList, { credentials });
  });
}

/** GET /api/v1/credentials/{id}: one credential's status (never a secret). */
export async function getCredential(request: Request, { params }: Params) {
  const { id } = await params;
  return serviceApi(request, { scope: 'credentials:read', action: 'api.credentials.get', credentialId: id }, async ({ services, account }) => {
    const status = await getCredentialStatus(services, { organizationId: account.organizationId, credentialId: id });
    return status ? apiJson(ZCredentialStatusBody, { credential: status }) : apiError(404, 'NOT_FOUND', 'No such credential.');
  });
}

/** GET /api/v1/credentials/{id}/access-token: a valid access token, for a service account allowed to use it. */
export async function getCredentialAccessToken(request: Request, { params }: Params) {
  const { id } = await params;
  return serviceApi(request, { scope: 'token:read', action: 'api.access_token', credentialId: id }, async ({ services, actor, credential }) => {
    const expired = refuseExpired(credential, 'no token is served');
    if (expired) return expired;
    const token = await getAccessToken(services, { credentialId: id, credentialVersion: credential?.version, actor });
    if (!token.ok) return apiFailure(token.error);
    return apiJson(ZAccessTokenBody, { access_token: token.data.accessToken, token_type: token.data.tokenType, expires_at: token.data.expiresAt });
  });
}

/** Signatures a minute, counted in the database (shared by every instance): per credential, and per service account over all its credentials. */
export const SIGN_LIMITS: { credential: LimitRule; account: LimitRule } = {
  credential: { keyPrefix: 'api-sign-credential', points: 1200, windowSeconds: 60 },
  account: { keyPrefix: 'api-sign-account', points: 6000, windowSeconds: 60 },
};

/**
 * POST /api/v1/credentials/{id}/sign: signs a digest with the credential's private key, which never
 * leaves Strongroom. Audited with the algorithm and a hash of the digest, never the digest itself.
 */
export async function postSignature(request: Request, { params }: Params) {
  const { id } = await params;
  return serviceApi(request, { scope: 'sign:digest', action: 'api.sign', credentialId: id }, async ({ services, account, actor, credential, note }) => {
    const read = await readJsonBody(request, MAX_SIGN_REQUEST_BYTES);
    if (!read.ok) return read.response;
    const parsed = ZSignRequest.safeParse(read.body);
    if (!parsed.success) return apiError(400, 'VALIDATION', parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
    const { algorithm, digest } = parsed.data;
    note({ algorithm, digestSha256: createHash('sha256').update(Buffer.from(digest, 'base64')).digest('hex') });
    const expired = refuseExpired(credential, 'nothing is signed with it');
    if (expired) return expired;
    for (const [rule, key, whose] of [[SIGN_LIMITS.credential, id, 'this credential'], [SIGN_LIMITS.account, account.id, 'this service account']] as const) {
      const taken = await takePoint(services.prisma, rule, key);
      if (!taken.allowed) return rateLimited(`Over ${rule.points} signatures a minute with ${whose}; try again after Retry-After seconds.`, taken.retryAfterSeconds);
    }
    const startedAt = performance.now();
    const signed = await signDigest(services, { actor, credential: credential!, request: parsed.data });
    note({ durationMs: Math.round((performance.now() - startedAt) * 10) / 10 });
    if (!signed.ok) return apiFailure(signed.error);
    const { signature, p1363, certificatePem, version } = signed.data;
    note({ credentialVersion: version });
    return apiJson(ZSignatureBody, {
      algorithm,
      signature: signature.toString('base64'),
      ...(p1363 ? { signature_p1363: p1363.toString('base64') } : {}),
      certificate: certificatePem,
      credential_version: version,
    });
  });
}

/** Proxied calls a minute, per credential and per service account (database counters, shared by every instance). */
export const PROXY_LIMITS: { credential: LimitRule; account: LimitRule } = {
  credential: { keyPrefix: 'api-proxy-credential', points: 1200, windowSeconds: 60 },
  account: { keyPrefix: 'api-proxy-account', points: 6000, windowSeconds: 60 },
};

/**
 * /api/v1/credentials/{id}/proxy/{path}, any method the profile allows: the call made to the
 * credential's provider with the credential applied (lib/server/proxy), the answer streamed back.
 * Audited when the answer has been passed on: method, path template, status, bytes, duration.
 */
export async function proxyRequest(request: Request, { params }: Params) {
  const { id } = await params;
  return serviceApi(request, { scope: 'proxy:call', action: 'api.proxy', credentialId: id }, async ({ services, account, actor, credential, note, auditAfter }) => {
    const url = new URL(request.url);
    const prefix = `/api/v1/credentials/${id}/proxy`;
    // The path as the request names it (a URL parser has resolved dot segments already: what is left must still be under the proxy).
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return apiError(400, 'VALIDATION', 'The path is not under this credential’s proxy.');
    const path = url.pathname.slice(prefix.length);
    note({ method: request.method });
    const expired = refuseExpired(credential, 'no call is made with it');
    if (expired) return expired;
    for (const [rule, key, whose] of [[PROXY_LIMITS.credential, id, 'this credential'], [PROXY_LIMITS.account, account.id, 'this service account']] as const) {
      const taken = await takePoint(services.prisma, rule, key);
      if (!taken.allowed) return rateLimited(`Over ${rule.points} proxied calls a minute with ${whose}; try again after Retry-After seconds.`, taken.retryAfterSeconds);
    }
    let body: Buffer<ArrayBuffer> | null = null;
    if (request.method !== 'GET' && request.method !== 'DELETE') {
      const read = await readBody(request, PROXY_MAX_REQUEST_BYTES);
      if (!read.ok) return read.response;
      body = read.body;
    }
    const startedAt = performance.now();
    const proxied = await proxyCall(services, { actor, credential: credential!, request: { method: request.method, path, query: url.search, headers: request.headers, body } });
    if (!proxied.ok) {
      const { status, code, message, retryAfterSeconds } = proxied.refusal;
      note({ durationMs: elapsed(startedAt) });
      const response = apiError(status, code, message);
      if (retryAfterSeconds) response.headers.set('Retry-After', String(retryAfterSeconds));
      return response;
    }
    const { response, pathTemplate, retried, finished } = proxied.data;
    note({ path: pathTemplate, retried, requestBytes: body?.length ?? 0 });
    auditAfter(finished.then(({ bytes, complete }) => ({ responseBytes: bytes, complete, durationMs: elapsed(startedAt) })));
    return new NextResponse(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
  });
}

const elapsed = (startedAt: number) => Math.round((performance.now() - startedAt) * 10) / 10;

/** The refusal for a credential past its end (marked so, or past its date already), or null. */
function refuseExpired(credential: ServiceContext['credential'], what: string) {
  if (!credential?.expiredAt) return null;
  const on = credential.expiredAt.getTime() > 0 ? ` on ${credential.expiredAt.toISOString().slice(0, 10)}` : '';
  return apiError(409, 'CREDENTIAL_EXPIRED', `This credential expired${on}, so ${what}; renew it with the provider and save the new values in Strongroom.`);
}

/** POST /api/v1/credentials/{id}/connection-tests: runs a connection test and returns its result. */
export async function postConnectionTest(request: Request, { params }: Params) {
  const { id } = await params;
  return serviceApi(request, { scope: 'tests:run', action: 'api.connection_test', credentialId: id }, async ({ services, account, actor }) => {
    const result = await runConnectionTest(services, { organizationId: account.organizationId, credentialId: id, trigger: 'API', actor });
    return result.ok ? apiJson(ZConnectionTestBody, { test: result.data }, { status: 201 }) : apiFailure(result.error);
  });
}

// Only the canonical spelling of each path: anything else (dot segments, escapes, a trailing slash,
// HEAD, OPTIONS) is left to Next.js's router, which answers it as it always has.
const ID = '([0-9A-Za-z-]{1,64})';
// A proxied path: segments of path characters, none of them a dot segment in any spelling.
const PROXIED = String.raw`(?:/(?!(?:\.|%2[eE]){1,2}(?:/|$))[A-Za-z0-9\-._~!$&'()*+,;=:@%]*)*`;
const ROUTES: { method: string | string[]; path: RegExp; handler: (request: Request, context: Params) => Promise<Response>; streams?: boolean }[] = [
  { method: 'GET', path: /^\/api\/v1\/credentials$/, handler: (request) => listCredentials(request) },
  { method: 'GET', path: new RegExp(`^/api/v1/credentials/${ID}$`), handler: getCredential },
  { method: 'GET', path: new RegExp(`^/api/v1/credentials/${ID}/access-token$`), handler: getCredentialAccessToken },
  { method: 'POST', path: new RegExp(`^/api/v1/credentials/${ID}/connection-tests$`), handler: postConnectionTest },
  { method: 'POST', path: new RegExp(`^/api/v1/credentials/${ID}/sign$`), handler: postSignature },
  { method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], path: new RegExp(`^/api/v1/credentials/${ID}/proxy${PROXIED}$`), handler: proxyRequest, streams: true },
];

/**
 * The handler for a service API request, or null when the path is not one of them as written. The
 * production server (scripts/serve.mjs) calls it directly: Next.js's router, request objects and
 * async context were a third of the CPU of a token request, for routes that use none of what it adds
 * (no page, no session, no cache). Next.js still routes the same handlers under `next dev`.
 */
export function serviceRoute(method: string, path: string): (((request: Request) => Promise<Response>) & { streams?: boolean }) | null {
  for (const route of ROUTES) {
    const match = (Array.isArray(route.method) ? route.method.includes(method) : route.method === method) ? route.path.exec(path) : null;
    if (match) {
      const params = Promise.resolve({ id: match[1] ?? '' });
      // serviceApi answers its handler's errors; this catches what fails before it (the database, say).
      const handle = (request: Request) => route.handler(request, { params }).catch((error: unknown) => apiErrorFor(error, 'api'));
      // A streamed answer (the proxy's) is written as it comes, not read in full first.
      return Object.assign(handle, { streams: route.streams ?? false });
    }
  }
  return null;
}
