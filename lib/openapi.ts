/** OpenAPI 3.1 description of the service API (/api/v1), served at /api/v1/openapi.json. */
const error = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};
const errors = { 401: { ...error, description: 'Missing or invalid API key' }, 403: { ...error, description: 'Out of the key’s scope' }, 404: { ...error, description: 'No such credential' } };
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const credentialStatus = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    label: { type: 'string' },
    profileTitle: { type: 'string' },
    environment: { enum: ['SANDBOX', 'PRODUCTION'] },
    health: { enum: ['NOT_CONFIGURED', 'FAILING', 'EXPIRING', 'NEVER_TESTED', 'VALID', 'REVOKED'] },
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
      get: { summary: 'Credentials of the legal entities the key may use (status only)', 'x-scope': 'credentials:read', responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object', properties: { credentials: { type: 'array', items: credentialStatus } } } } } }, 401: errors[401], 403: errors[403] } },
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
          409: { ...error, description: 'The credential needs attention (refused by its provider)' },
          503: { ...error, description: 'The token endpoint is failing; retry later' },
        },
      },
    },
    '/credentials/{id}/connection-tests': {
      post: { summary: 'Run a connection test now; the result is kept in the credential’s history', 'x-scope': 'tests:run', parameters: idParam, responses: { 201: { description: 'Test result' }, ...errors } },
    },
  },
} as const;
