import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ZAccessTokenBody, ZApiError, ZConnectionTestBody, ZCredentialList, ZCredentialStatusBody } from '@/lib/schemas/service-api';
import { SIGN_ALGORITHMS, ZSignatureBody, ZSignRequest } from '@/lib/schemas/signing';

// The OpenAPI 3.1 description of the service API (/api/v1), generated from the zod schemas its
// route handlers answer with, and served at /api/v1/openapi.json. A test fails if a route under
// app/api/v1 is missing here.

const registry = new OpenAPIRegistry();
registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'A service account key (sr_…), also accepted as X-API-Key.' });

const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string, codes: string[]) => json(`${description} (error code: ${codes.join(' or ')})`, ZApiError);
const errors = {
  401: error('Missing or invalid API key', ['UNAUTHENTICATED']),
  403: error('Out of the key’s scope', ['FORBIDDEN']),
  404: error('No such credential', ['NOT_FOUND']),
  409: error('The credential’s legal entity is archived', ['ENTITY_ARCHIVED']),
  429: error('Too many requests without a valid key from this address; see Retry-After', ['RATE_LIMITED']),
  503: error('Too many calls at once (refused at once rather than queued for long), or the key provider cannot be used now; retry after Retry-After seconds', ['OVERLOADED', 'KEYS_UNAVAILABLE']),
};
const credentialParams = { params: z.object({ id: z.uuid() }) };

const proxied = (method: 'get' | 'post' | 'put' | 'patch' | 'delete'): RouteConfig & { 'x-scope': string } => ({
  method,
  path: '/credentials/{id}/proxy/{path}',
  summary: 'Call the credential’s provider with the credential applied; the secret never reaches the caller',
  description:
    'Forwards to the credential’s base URL plus `path` (which may hold several segments; the query is passed on) with the credential applied: an access token (OAuth, KSeF; a 401 gets a new token and one retry), the API key header, HTTP basic, ZATCA’s CSID basic, or the client certificate in the TLS handshake (SDI, Peppol, X.509). Some kinds allow only some paths and methods (KSeF: /sessions, /invoices and /security/public-key-certificates; ZATCA: POST to compliance, reporting and clearance of invoices). Passed on: Accept, Accept-Language, Accept-Version, Clearance-Status, Content-Type, If-Match, If-None-Match, If-Modified-Since, Idempotency-Key. The answer keeps the provider’s status and headers (hop-by-hop and Set-Cookie dropped) and streams its body, at most 10 MiB, with any secret sent replaced by [redacted]. Redirects are not followed. Request bodies up to 5 MiB; 1,200 calls a minute per credential, 6,000 per service account.',
  'x-scope': 'proxy:call',
  request: { params: z.object({ id: z.uuid(), path: z.string().meta({ description: 'The path under the base URL, e.g. invoices/reporting/single' }) }) },
  responses: {
    200: { description: 'The provider’s answer, whatever its status (its body as it sent it)' },
    400: error('The path or query may not be sent (dot segments, escaped slashes, control characters, outside the allowed paths)', ['VALIDATION']),
    ...errors,
    405: error('This kind of credential’s proxy does not take this method', ['METHOD_NOT_ALLOWED']),
    409: error('The credential is not called through the proxy (its kind, no base URL, no secret yet), its token cannot be had, it expired, or its legal entity is archived', ['INVALID_STATE', 'INTEGRITY', 'CREDENTIAL_EXPIRED', 'ENTITY_ARCHIVED']),
    413: error('The request body is over 5 MiB', ['TOO_LARGE']),
    429: error('Too many proxied calls a minute for this credential or service account, or too many requests without a valid key; see Retry-After', ['RATE_LIMITED']),
    502: error('The provider cannot be reached, redirected, or its answer is over 10 MiB', ['PROVIDER_UNREACHABLE', 'RESPONSE_TOO_LARGE']),
    504: error('The provider did not answer in time', ['PROVIDER_TIMEOUT']),
  },
});

const routes: (RouteConfig & { 'x-scope'?: string })[] = [
  {
    method: 'get',
    path: '/credentials',
    summary: 'Credentials of the legal entities the key may use (status only)',
    'x-scope': 'credentials:read',
    responses: { 200: json('OK', ZCredentialList), 401: errors[401], 403: errors[403], 429: errors[429], 503: errors[503] },
  },
  {
    method: 'get',
    path: '/credentials/{id}',
    summary: 'One credential’s status',
    'x-scope': 'credentials:read',
    request: credentialParams,
    responses: { 200: json('OK', ZCredentialStatusBody), ...errors },
  },
  {
    method: 'get',
    path: '/credentials/{id}/access-token',
    summary: 'A valid access token of an OAuth or KSeF credential (refreshed ahead of expiry)',
    'x-scope': 'token:read',
    request: credentialParams,
    responses: {
      200: json('OK', ZAccessTokenBody),
      ...errors,
      409: error('The credential needs attention (refused by its provider, or its stored secret cannot be opened), it changed while its token was fetched, or its legal entity is archived, or it expired', ['INVALID_STATE', 'INTEGRITY', 'CONFLICT', 'ENTITY_ARCHIVED', 'CREDENTIAL_EXPIRED']),
      502: error('The provider’s token endpoint cannot be reached or answers with errors; retry later', ['PROVIDER_UNREACHABLE']),
      503: error('The provider is rate limiting us, another instance is fetching the token, too many calls at once, or the key provider cannot be used now; retry later (see Retry-After)', ['RATE_LIMITED', 'OVERLOADED', 'KEYS_UNAVAILABLE']),
    },
  },
  {
    method: 'post',
    path: '/credentials/{id}/connection-tests',
    summary: 'Run a connection test now; the result is kept in the credential’s history',
    'x-scope': 'tests:run',
    request: credentialParams,
    responses: { 201: json('Test result', ZConnectionTestBody), ...errors },
  },
  {
    method: 'post',
    path: '/credentials/{id}/sign',
    summary: 'Sign a digest with the credential’s private key, which never leaves Strongroom',
    description: `The caller hashes what it signs and sends the digest. Algorithms: ${Object.entries(SIGN_ALGORITHMS)
      .map(([id, { label }]) => `${id} (${label})`)
      .join(', ')}; each kind of credential allows some of them (a ZATCA CSID ES256K, a KSeF offline certificate PS256 or ES256). At most 1,200 signatures a minute per credential and 6,000 per service account.`,
    'x-scope': 'sign:digest',
    request: { ...credentialParams, body: { content: { 'application/json': { schema: ZSignRequest } }, required: true } },
    responses: {
      200: json('The signature and the certificate of the key', ZSignatureBody),
      400: error('The body is not a digest of the algorithm’s size, the algorithm is unknown or not allowed for this credential, or the key is of another kind', ['VALIDATION']),
      ...errors,
      409: error('The credential cannot sign (no key yet, a kind that does not sign, a stored key that cannot be used), it expired, or its legal entity is archived', ['INVALID_STATE', 'INTEGRITY', 'CREDENTIAL_EXPIRED', 'ENTITY_ARCHIVED']),
      413: error('The body is over 1 KiB', ['TOO_LARGE']),
      429: error('Too many signatures a minute for this credential or service account, or too many requests without a valid key; see Retry-After', ['RATE_LIMITED']),
    },
  },
  ...(['get', 'post', 'put', 'patch', 'delete'] as const).map(proxied),
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    security: [],
    responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: z.object({}).loose() } } } },
  },
];
for (const route of routes) registry.registerPath(route);

export const OPENAPI = new OpenApiGeneratorV31(registry.definitions).generateDocument({
  openapi: '3.1.0',
  info: { title: 'Strongroom service API', version: '1', description: 'Status of e-invoicing credentials and access tokens for the company’s own services. Every call is audited.' },
  servers: [{ url: '/api/v1' }],
  security: [{ apiKey: [] }],
});
