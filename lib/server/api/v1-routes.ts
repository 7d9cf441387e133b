import 'server-only';
import { ZAccessTokenBody, ZConnectionTestBody, ZCredentialList, ZCredentialStatusBody } from '@/lib/schemas/service-api';
import { apiError, apiErrorFor, apiFailure, apiJson, serviceApi } from '@/lib/server/api/service-api';
import { runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';
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
    if (credential?.expiredAt) {
      const on = credential.expiredAt.getTime() > 0 ? ` on ${credential.expiredAt.toISOString().slice(0, 10)}` : '';
      return apiError(409, 'CREDENTIAL_EXPIRED', `This credential expired${on}, so no token is served; renew it with the provider and save the new values in Strongroom.`);
    }
    const token = await getAccessToken(services, { credentialId: id, credentialVersion: credential?.version, actor });
    if (!token.ok) return apiFailure(token.error);
    return apiJson(ZAccessTokenBody, { access_token: token.data.accessToken, token_type: token.data.tokenType, expires_at: token.data.expiresAt });
  });
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
const ROUTES: { method: string; path: RegExp; handler: (request: Request, context: Params) => Promise<Response> }[] = [
  { method: 'GET', path: /^\/api\/v1\/credentials$/, handler: (request) => listCredentials(request) },
  { method: 'GET', path: new RegExp(`^/api/v1/credentials/${ID}$`), handler: getCredential },
  { method: 'GET', path: new RegExp(`^/api/v1/credentials/${ID}/access-token$`), handler: getCredentialAccessToken },
  { method: 'POST', path: new RegExp(`^/api/v1/credentials/${ID}/connection-tests$`), handler: postConnectionTest },
];

/**
 * The handler for a service API request, or null when the path is not one of them as written. The
 * production server (scripts/serve.mjs) calls it directly: Next.js's router, request objects and
 * async context were a third of the CPU of a token request, for routes that use none of what it adds
 * (no page, no session, no cache). Next.js still routes the same handlers under `next dev`.
 */
export function serviceRoute(method: string, path: string): ((request: Request) => Promise<Response>) | null {
  for (const route of ROUTES) {
    const match = route.method === method ? route.path.exec(path) : null;
    if (match) {
      const params = Promise.resolve({ id: match[1] ?? '' });
      // serviceApi answers its handler's errors; this catches what fails before it (the database, say).
      return (request) => route.handler(request, { params }).catch((error: unknown) => apiErrorFor(error, 'api'));
    }
  }
  return null;
}
