import { CREDENTIAL_HEALTH } from '@/lib/credential-health';

/** OpenAPI 3.1 description of the service API (/api/v1), served at /api/v1/openapi.json. */
const error = (description: string, codes: string[]) => ({
  description: `${description} (error code: ${codes.join(' or ')})`,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { enum: codes }, message: { type: 'string' } } } },
      },
    },
  },
});
const errors = {
  401: error('Missing or invalid API key', ['UNAUTHENTICATED']),
  403: error('Out of the key’s scope', ['FORBIDDEN']),
  404: error('No such credential', ['NOT_FOUND']),
  429: error('Too many requests without a valid key from this address; see Retry-After', ['RATE_LIMITED']),
};
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const credentialStatus = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    label: { type: 'string' },
    profileTitle: { type: 'string' },
    environment: { enum: ['SANDBOX', 'PRODUCTION'] },
    health: { enum: Object.keys(CREDENTIAL_HEALTH) },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Strongroom service API', version: '1', description: 'Status of e-invoicing credentials and access tokens for the company’s own services. Every call is audited.' },
  servers: [{ url: '/api/v1' }],
  security: [{ apiKey: [] }],
  components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A service account key (sr_…), also accepted as X-API-Key.' } } },
  paths: {
    '/credentials': {
      get: { summary: 'Credentials of the legal entities the key may use (status only)', 'x-scope': 'credentials:read', responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object', properties: { credentials: { type: 'array', items: credentialStatus } } } } } }, 401: errors[401], 403: errors[403], 429: errors[429] } },
    },
    '/credentials/{id}': {
      get: { summary: 'One credential’s status', 'x-scope': 'credentials:read', parameters: idParam, responses: { 200: { description: 'OK' }, ...errors } },
    },
    '/credentials/{id}/access-token': {
      get: {
        summary: 'A valid access token of an OAuth credential (refreshed ahead of expiry)',
        'x-scope': 'token:read',
        parameters: idParam,
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: { type: 'object', required: ['access_token', 'token_type', 'expires_at'], properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' } } } } },
          },
          ...errors,
          409: error('The credential needs attention (refused by its provider, or its stored secret cannot be opened), or it changed while its token was fetched', ['INVALID_STATE', 'INTEGRITY', 'CONFLICT']),
          502: error('The provider’s token endpoint cannot be reached or answers with errors; retry later', ['PROVIDER_UNREACHABLE']),
          503: error('The provider is rate limiting us, or another instance is fetching the token; retry later', ['RATE_LIMITED']),
        },
      },
    },
    '/credentials/{id}/connection-tests': {
      post: { summary: 'Run a connection test now; the result is kept in the credential’s history', 'x-scope': 'tests:run', parameters: idParam, responses: { 201: { description: 'Test result' }, ...errors } },
    },
  },
} as const;
