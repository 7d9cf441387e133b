import 'server-only';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer & { server: ReturnType<typeof createServer> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A real, certified OAuth 2.0 authorization server (oidc-provider) on loopback, issuing
 * client_credentials tokens to the given clients. `tokens` counts issued tokens.
 */
export async function startOidcProvider({
  clients,
  ttlSeconds = 60,
  introspection = false,
}: {
  clients: { clientId: string; clientSecret: string; auth?: 'client_secret_basic' | 'client_secret_post'; scope?: string }[];
  ttlSeconds?: number;
  /** Serves /token/introspection, where an API checks the tokens it is sent (RFC 7662). */
  introspection?: boolean;
}): Promise<TestServer & { tokenUrl: string; introspectionUrl: string; issued: () => number }> {
  let issued = 0;
  let provider: Provider | undefined;
  const server = await listen((req, res) => provider!.callback()(req, res));
  provider = new Provider(server.url, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: c.auth ?? 'client_secret_basic',
      scope: c.scope ?? 'invoices',
    })),
    scopes: [...new Set(clients.flatMap((c) => (c.scope ?? 'invoices').split(' ')))],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false }, introspection: { enabled: introspection } },
    ttl: { ClientCredentials: ttlSeconds },
  });
  provider.on('client_credentials.saved', () => issued++);
  return { ...server, tokenUrl: `${server.url}/token`, introspectionUrl: `${server.url}/token/introspection`, issued: () => issued };
}

/**
 * A provider in the middle of a secret rotation, when the old and the new client secret both work
 * (as most providers allow for a while): one oidc-provider per secret behind one loopback address,
 * each request going to the one whose secret it carries (HTTP Basic); any other secret goes to the
 * first, which refuses it. `issued(i)` counts the tokens issued for `secrets[i]`.
 */
export async function startRotatingOidcProvider({ clientId, secrets, ttlSeconds = 3600 }: { clientId: string; secrets: string[]; ttlSeconds?: number }) {
  const issued = secrets.map(() => 0);
  let providers: Provider[] = [];
  const server = await listen((req, res) => {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const secret = decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[1] ?? '');
    providers[Math.max(secrets.indexOf(secret), 0)]!.callback()(req, res);
  });
  providers = secrets.map((secret, i) => {
    const provider = new Provider(server.url, {
      clients: [{ client_id: clientId, client_secret: secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'invoices' }],
      scopes: ['invoices'],
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
      ttl: { ClientCredentials: ttlSeconds },
    });
    provider.on('client_credentials.saved', () => issued[i]!++);
    return provider;
  });
  return { ...server, tokenUrl: `${server.url}/token`, issued: (i: number) => issued[i]! };
}

export type FaultHandler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A local server whose answers the test writes: failures a real provider would rarely show on cue. */
export async function startFaultServer(handler: FaultHandler): Promise<TestServer & { calls: () => number }> {
  let calls = 0;
  const server = await listen((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      calls++;
      handler(req, body, res);
    });
  });
  return { url: server.url, close: server.close, calls: () => calls };
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
