import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { env } from '@/lib/server/env';
import { parseTrustedProxies, peerIsTrusted, type TrustedProxies } from '@/lib/server/net/trusted-proxies';

/** What every log line and audit event of one request carries. */
export interface RequestContext {
  requestId: string;
  /** Who made it, once known: USER, SERVICE_ACCOUNT, ANONYMOUS. */
  actorType?: string;
  /** Gives back the request's slot in the admission gate (scripts/serve.mjs), when it holds one. */
  leaveGate?: () => void;
}

// One store per process, on globalThis: scripts/serve.mjs creates it and runs every request inside
// it, and each bundle Next.js builds reads the same one.
const holder = globalThis as { strongroomRequestContext?: AsyncLocalStorage<RequestContext> };
export const requestContext = (holder.strongroomRequestContext ??= new AsyncLocalStorage<RequestContext>());

/** The id of the request being served, or null outside one (a job, a script). */
export const currentRequestId = (): string | null => requestContext.getStore()?.requestId ?? null;

/** Says who the request being served is from, for its log line. */
export function noteActorType(type: string): void {
  const store = requestContext.getStore();
  if (store) store.actorType = type;
}

/**
 * Gives back the admission gate's slot of the request being served: for a request that is about to
 * wait on something other than this machine (a provider, through the proxy), so it does not keep
 * requests that need this machine's CPU waiting. Nothing outside a gated request.
 */
export function leaveAdmissionGate(): void {
  const store = requestContext.getStore();
  store?.leaveGate?.();
  if (store) store.leaveGate = undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
let trusted: TrustedProxies | undefined;

/**
 * A request's id: the one a trusted proxy sent (`X-Request-Id`, 8–64 of letters, digits and `._:-`;
 * else the trace id of a W3C `traceparent`), or a new one. A client that is not a trusted proxy
 * cannot choose it, so it cannot make its requests look like another's in the logs.
 */
export function requestIdFor(headers: Record<string, string | string[] | undefined>, peer: string, proxies: TrustedProxies = (trusted ??= parseTrustedProxies(env().TRUSTED_PROXIES))): string {
  if (peerIsTrusted(peer, proxies)) {
    const sent = headers['x-request-id'];
    if (typeof sent === 'string' && REQUEST_ID.test(sent)) return sent;
    const trace = typeof headers.traceparent === 'string' ? TRACEPARENT.exec(headers.traceparent)?.[1] : undefined;
    if (trace && !/^0+$/.test(trace)) return trace;
  }
  return randomUUID();
}
