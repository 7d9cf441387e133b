import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENAPI } from '@/lib/openapi';
import { ZAccessTokenBody } from '@/lib/schemas/service-api';

const API_DIR = 'app/api/v1';

/** Every route handler under /api/v1 as "METHOD /path", from the files Next.js serves. */
function servedRoutes(dir = API_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return servedRoutes(path);
    if (name !== 'route.ts') return [];
    const route = `/${relative(API_DIR, dir)}`.replace(/\[\[?\.\.\.([^\]]+)\]\]?/g, '{$1}').replace(/\[([^\]]+)\]/g, '{$1}');
    // Declared in the file, or a handler of lib/server/api/v1-routes.ts re-exported under the method's name.
    const methods = [...readFileSync(path, 'utf8').matchAll(/export (?:(?:async )?function |\{ \w+ as )(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
    return methods.map((method) => `${method} ${route}`);
  });
}

const documented = () =>
  Object.entries(OPENAPI.paths ?? {}).flatMap(([path, item]) => Object.keys(item ?? {}).filter((key) => /^(get|post|put|patch|delete)$/.test(key)).map((method) => `${method.toUpperCase()} ${path}`));

describe('OpenAPI document', () => {
  it('documents every /api/v1 route handler, and nothing that is not served', () => {
    const served = servedRoutes();
    expect(served).toContain('GET /credentials/{id}/access-token');
    expect(documented().sort()).toEqual(served.sort());
  });

  it('describes the bodies with the zod schemas the routes answer with', () => {
    const schema = OPENAPI.components?.schemas?.AccessToken as { required?: string[]; properties?: Record<string, { format?: string }> };
    expect(schema.required?.sort()).toEqual(Object.keys(ZAccessTokenBody.shape).sort());
    expect(schema.properties?.expires_at?.format).toBe('date-time');
    const tokenRoute = OPENAPI.paths?.['/credentials/{id}/access-token']?.get;
    expect(tokenRoute?.responses?.['200']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/AccessToken' } } } });
    expect(tokenRoute).toMatchObject({ 'x-scope': 'token:read', parameters: [{ name: 'id', in: 'path', required: true }] });
  });
});
