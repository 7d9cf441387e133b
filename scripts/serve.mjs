// Production server: Next.js behind a plain Node HTTP server, so the app knows the address that
// actually connected. Next.js only fills X-Forwarded-For when a client did not, which would let any
// client write its own address into rate limits and the audit. This sets a header from the socket on
// every request, replacing whatever a client sent, and tells the app (a process flag) to read it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admissionGate, hasWellFormedKey, isServiceApiPath } from './admission.mjs';
import { httpMetrics, routeGroup } from './http-metrics.mjs';
import { SECURITY_HEADERS } from '../lib/security-headers.mjs';

// As `next start` does; set before Next.js and React load, since they pick their builds on import.
process.env.NODE_ENV = 'production';
const { default: next } = await import('next');
const port = Number(process.env.PORT ?? 3000);
// Every interface unless HOST names one (HOST=127.0.0.1: this machine only).
const host = process.env.HOST || undefined;
globalThis.strongroomPeerHeader = 'x-strongroom-peer';

// The service API is what machines call in bursts; it goes through the gate (admission.mjs). The
// embedded database runs inside this process, so a request's database work is CPU here and a few at a
// time is all it can use; with PostgreSQL a request mostly waits on the network.
const setting = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d*$/.test(raw)) {
    process.stderr.write(`Strongroom cannot start: ${name} must be a whole number above 0 (it is "${raw}").\n`);
    process.exit(1);
  }
  return Number(raw);
};
const gate = admissionGate({
  limit: setting('MAX_CONCURRENT_REQUESTS', process.env.DATABASE_URL ? 16 : 8),
  maxQueued: setting('MAX_QUEUED_REQUESTS', 1000),
  maxWaitMs: setting('MAX_QUEUE_WAIT_MS', 1000),
});

// Counted only where they can be read: without METRICS_TOKEN there is no /api/metrics (bench: with and without).
const countRequest = process.env.METRICS_TOKEN ? httpMetrics(gate) : () => {};

const securityHeaders = Object.fromEntries(SECURITY_HEADERS.map(({ key, value }) => [key.toLowerCase(), value]));

/** An API error as the app writes them: `{ error: { code, message } }`, never cached. */
function answer(res, status, code, message, headers = {}) {
  res.writeHead(status, { ...securityHeaders, 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * A service API request answered by its handler without Next.js's router (lib/server/api/v1-routes.ts
 * says why): the same function Next.js would call, handed the same headers, its answer written with
 * the headers next.config.mjs gives every response. A body (POST) is handed on as a stream, read by the
 * handler as far as it allows; the proxy's answer is streamed back.
 */
async function answerDirectly(route, req, res) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  let response;
  try {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Readable.toWeb(req);
    response = await route(new Request(new URL(req.url, 'http://localhost'), { method: req.method, headers, ...(body ? { body, duplex: 'half' } : {}) }));
  } catch (error) {
    const requestId = req.headers['x-request-id'];
    process.stderr.write(`service API request ${requestId} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return answer(res, 500, 'INTERNAL', `Something went wrong; it was logged under request ${requestId}: quote it to your operator.`);
  }
  // The app's security headers win over any the handler passes on (a provider's, through the proxy).
  const out = {};
  response.headers.forEach((value, name) => (out[name] = value));
  Object.assign(out, securityHeaders);
  if (route.streams && response.body) {
    // Written as it arrives; a body cut off (over its cap, the provider gone) ends the connection, and a
    // client that leaves cancels the body (and the provider's answer behind it).
    res.writeHead(response.status, out);
    const body = Readable.fromWeb(response.body);
    body.once('error', () => res.destroy());
    res.once('close', () => body.destroy());
    body.pipe(res);
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  out['content-length'] = String(body.length);
  res.writeHead(response.status, out);
  res.end(body);
}

const app = next({ dev: false, dir: join(dirname(fileURLToPath(import.meta.url)), '..'), port });
const handle = app.getRequestHandler();
await app.prepare();

/** A request, inside its context: pages and the rest to Next.js; the service API through the gate. */
async function serve(req, res, serviceApi, hooks) {
  if (!serviceApi) return void handle(req, res);
  // Without a key there is nothing to look up: answered at once, so such requests never take a slot
  // (or a database write) from a client with a key.
  if (!hasWellFormedKey(req.headers)) return void answer(res, 401, 'UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <key>.');
  // The slot is given back when the response is over, or at once if the client left while waiting.
  let release = null;
  let gone = false;
  res.once('close', () => {
    gone = true;
    release?.();
  });
  release = await gate.admit();
  if (gone) return release?.();
  if (!release) return void answer(res, 503, 'OVERLOADED', 'The server is busy; retry after a second.', { 'retry-after': '1' });
  // A proxied call gives its slot back before it waits on the provider (leaveAdmissionGate).
  requestContext.getStore().leaveGate = release;
  const route = hooks?.serviceRoute(req.method, req.url.split('?', 1)[0]);
  void (route ? answerDirectly(route, req, res) : handle(req, res));
}

// Every request runs inside this context (lib/server/request-context.ts reads the same store): its id
// reaches every log line and audit event it causes.
const requestContext = (globalThis.strongroomRequestContext ??= new AsyncLocalStorage());

createServer((req, res) => {
  const peer = req.socket.remoteAddress ?? '';
  req.headers['x-strongroom-peer'] = peer;
  // The app's hooks (instrumentation.ts), once it has started: until then Next.js routes everything.
  const hooks = globalThis.strongroomHooks;
  // Replaces whatever the client sent: only a trusted proxy's id is kept (requestIdFor).
  const context = { requestId: hooks?.requestIdFor(req.headers, peer) ?? randomUUID() };
  req.headers['x-request-id'] = context.requestId;
  res.setHeader('x-request-id', context.requestId);
  const serviceApi = isServiceApiPath(req.url);
  const started = performance.now();
  const group = routeGroup(req.method, req.url.split('?', 1)[0], serviceApi, req.headers);
  res.once('finish', () => {
    const seconds = (performance.now() - started) / 1000;
    countRequest(group, res.statusCode, seconds);
    hooks?.logRequest({ requestId: context.requestId, method: req.method, group, status: res.statusCode, durationMs: Math.round(seconds * 10_000) / 10, actorType: context.actorType });
  });
  requestContext.run(context, () => void serve(req, res, serviceApi, hooks));
}).listen(port, host, async () => {
  // Next.js starts the app (configuration checks, migrations, seed) on its first request: make that
  // request now, so "ready" is said once the app answers, after anything its start prints.
  const local = host && host !== '0.0.0.0' && host !== '::' ? (host.includes(':') ? `[${host}]` : host) : 'localhost';
  const health = await fetch(`http://${local === 'localhost' ? '127.0.0.1' : local}:${port}/api/health`).catch((error) => ({ ok: false, status: error.message }));
  const url = process.env.NEXTAUTH_URL || `http://${local}:${port}`;
  const where = host ? `listening on ${host} port ${port} only` : `listening on every network interface of this machine, port ${port}; HOST=127.0.0.1 keeps it to this machine`;
  if (health.ok) process.stdout.write(`Strongroom is ready at ${url} (${where}).\n`);
  else process.stdout.write(`Strongroom is listening at ${url} (${where}), but its health check answers ${health.status}: see the log above.\n`);
});
