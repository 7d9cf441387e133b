import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceRoute } from '@/lib/server/api/v1-routes';

const ID = '3f1c2a4e-8b7d-4c6e-9a1f-0d2e3c4b5a69';

// Every route file of the service API, with the methods it exports and its path as a client writes it.
const routeFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? routeFiles(path) : name === 'route.ts' ? [path] : [];
  });
const served = routeFiles('app/api/v1/credentials').flatMap((file) => {
  const path = `/api/v1/${relative('app/api/v1', file).replace(/\/?route\.ts$/, '').replace('[id]', ID).replace('/[[...path]]', '/v1/invoices')}`;
  return [...readFileSync(file, 'utf8').matchAll(/export \{ \w+ as (GET|POST|PUT|PATCH|DELETE) \} from '@\/lib\/server\/api\/v1-routes'/g)].map((m) => ({ method: m[1]!, path, file }));
});

describe('serviceRoute', () => {
  it('answers every path and method the route files serve, with the handlers they export', () => {
    expect(served.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [`GET /api/v1/credentials`, `GET /api/v1/credentials/${ID}`, `GET /api/v1/credentials/${ID}/access-token`, `POST /api/v1/credentials/${ID}/connection-tests`, `POST /api/v1/credentials/${ID}/sign`, ...['DELETE', 'GET', 'PATCH', 'POST', 'PUT'].map((method) => `${method} /api/v1/credentials/${ID}/proxy/v1/invoices`)].sort(),
    );
    for (const { method, path } of served) expect(serviceRoute(method, path), `${method} ${path}`).toBeTypeOf('function');
    // The proxy's answers are streamed; the others' are small and written in one piece.
    expect(serviceRoute('GET', `/api/v1/credentials/${ID}/proxy/v1/invoices`)?.streams).toBe(true);
    expect(serviceRoute('GET', `/api/v1/credentials/${ID}/access-token`)?.streams).toBe(false);
  });

  it('takes proxied paths with escapes to the proxy (which checks them), and leaves dot segments to the router', () => {
    expect(serviceRoute('GET', `/api/v1/credentials/${ID}/proxy`)).toBeTypeOf('function');
    expect(serviceRoute('POST', `/api/v1/credentials/${ID}/proxy/files/report%20march.pdf`)).toBeTypeOf('function');
    for (const path of [`/proxy/../sign`, `/proxy/%2e%2e/sign`, `/proxy/a/%2E/b`, `/proxy/.`, `/proxy/x?y`]) {
      expect(serviceRoute('GET', `/api/v1/credentials/${ID}${path}`), path).toBeNull();
    }
    expect(serviceRoute('HEAD', `/api/v1/credentials/${ID}/proxy/x`)).toBeNull();
  });

  it('leaves every other spelling, method and path to Next.js', () => {
    const others: [string, string][] = [
      ['HEAD', `/api/v1/credentials/${ID}/access-token`],
      ['OPTIONS', `/api/v1/credentials/${ID}/access-token`],
      ['POST', `/api/v1/credentials/${ID}/access-token`],
      ['GET', `/api/v1/credentials/${ID}/connection-tests`],
      ['GET', `/api/v1/credentials/${ID}/sign`],
      ['POST', `/api/v1/credentials/${ID}/sign/`],
      ['GET', `/api/v1/credentials/${ID}/access-token/`],
      ['GET', `/api/v1/credentials/`],
      ['GET', `/api/v1/./credentials/${ID}/access-token`],
      ['GET', `/api/v1/credentials/%2e%2e/access-token`],
      ['GET', `//api/v1/credentials/${ID}/access-token`],
      ['GET', `/API/v1/credentials/${ID}/access-token`],
      ['GET', `/api/v1/credentials/${ID}/access-token;x`],
      ['GET', `/api/v1/credentials/${'a'.repeat(65)}/access-token`],
      ['GET', `/api/v1/openapi.json`],
    ];
    for (const [method, path] of others) expect(serviceRoute(method, path), `${method} ${path}`).toBeNull();
  });
});
