import 'server-only';
import type { Agent } from 'undici';
import { fieldLabel, profileDefinition, type ProxyDefinition } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { nowMs } from '@/lib/server/clock';
import { openCertificateKey } from '@/lib/server/credentials/open-certificate-key';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { openedMemory } from '@/lib/server/credentials/opened-memory';
import { clientCertificateAgent, defaultPolicy, guardedResponse, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { checkProxyPath, joinProxyUrl } from '@/lib/server/proxy/proxy-path';
import { scrubbedAndCapped } from '@/lib/server/proxy/scrub-stream';
import { leaveAdmissionGate } from '@/lib/server/request-context';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { invalidateAccessToken } from '@/lib/server/tokens/token-grant';
import { binarySecurityTokenOf } from '@/lib/server/zatca/fatoora-api';

/** The largest request body forwarded; it is read in full first, so a 401 can be retried with it. */
export const PROXY_MAX_REQUEST_BYTES = 5 * 1024 * 1024;
/** The largest response body passed back (streamed; a larger one is cut off, or refused when its length is declared). */
export const PROXY_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** The whole exchange with the provider, body included. */
export const PROXY_TIMEOUT_MS = 60_000;
/** Proxied calls waiting on providers at once, per process; more are refused with 503. */
export const PROXY_MAX_IN_FLIGHT = 64;
/** A token obtained after a 401 is not dropped again for this long: a provider refusing every token is answered with its 401, not with a new token per call. */
export const FORCED_REFRESH_COOLDOWN_MS = 30_000;

const DEFAULT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** What a caller's request may tell the provider; anything else (its Strongroom key, cookies, forwarding headers) stays here. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-language', 'accept-version', 'clearance-status', 'content-type', 'if-match', 'if-none-match', 'if-modified-since', 'idempotency-key'];
/** Hop-by-hop headers, cookies, and what no longer holds once the body is streamed on (fetch has decoded it). */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'set-cookie', 'set-cookie2', 'content-length', 'content-encoding', 'alt-svc', 'strict-transport-security', 'content-security-policy',
]);

/** A credential applied to calls: kept per version in memory (opened-memory.ts), never returned. */
interface ProxySetup {
  baseUrl: string;
  headers: Record<string, string>;
  /** What the provider must not echo back to the caller: the secrets sent, as sent. */
  secrets: string[];
  agent: Agent | null;
  close: () => void;
}
const setups = openedMemory<ProxySetup>('proxy');

// Per process, on globalThis (one count for every Next.js bundle).
const state = ((globalThis as { strongroomProxy?: { inFlight: number; forcedRefreshAt: Map<string, number> } }).strongroomProxy ??= { inFlight: 0, forcedRefreshAt: new Map() });

export interface ProxyRequest {
  method: string;
  /** The path after `/proxy`, as received (percent-encoded), and the query with its `?`. */
  path: string;
  query: string;
  headers: Headers;
  body: Buffer<ArrayBuffer> | null;
}

export interface ProxyRefusal {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export interface ProxiedResponse {
  response: Response;
  pathTemplate: string;
  /** Whether the call was made again with a new token after a 401. */
  retried: boolean;
  /** Resolves once the body has been passed on (or given up): its size and whether it was all sent. */
  finished: Promise<{ bytes: number; complete: boolean }>;
}

/**
 * Makes a service's call to the provider with the credential applied (proxy definition of its
 * profile) and passes the answer back as it arrives, without the secrets sent and without hop-by-hop
 * headers or cookies. Everything that can be refused is refused before anything is sent.
 */
export async function proxyCall(
  services: Services,
  { actor, credential, request, policy = { ...defaultPolicy(), timeoutMs: PROXY_TIMEOUT_MS } }: { actor: Actor; credential: { id: string; profile: string; version: number }; request: ProxyRequest; policy?: OutboundPolicy },
): Promise<{ ok: true; data: ProxiedResponse } | { ok: false; refusal: ProxyRefusal }> {
  const refuse = (status: number, code: string, message: string, retryAfterSeconds?: number) => ({ ok: false as const, refusal: { status, code, message, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) } });
  const profile = profileDefinition(credential.profile);
  const definition = profile?.proxy;
  if (!definition) return refuse(409, 'INVALID_STATE', `A ${profile?.title ?? credential.profile} is not called through the proxy.`);
  const methods = definition.methods ?? DEFAULT_METHODS;
  if (!methods.includes(request.method)) return refuse(405, 'METHOD_NOT_ALLOWED', `This credential's proxy takes ${methods.join(', ')}, not ${request.method}.`);
  const path = checkProxyPath(request.path, request.query, definition.paths);
  if (!path.ok) return refuse(400, 'VALIDATION', path.message);

  const setup = await proxySetup(services, actor, credential, definition, policy);
  if (!setup.ok) return refuse(setup.error.code === 'NOT_FOUND' ? 404 : 409, setup.error.code, setup.error.message);
  const url = joinProxyUrl(setup.data.baseUrl, request.path, request.query);
  if (!url) return refuse(400, 'VALIDATION', 'The path does not stay under the credential’s base URL.');

  if (state.inFlight >= PROXY_MAX_IN_FLIGHT) return refuse(503, 'OVERLOADED', 'Too many proxied calls are waiting on providers; retry after a second.', 1);
  // From here the request waits on the provider, not on this machine: its gate slot goes to another.
  leaveAdmissionGate();
  state.inFlight++;
  let settled = false;
  const settle = () => {
    if (!settled) (settled = true), state.inFlight--;
  };
  try {
    const outcome = await exchange(services, { actor, credential, definition, setup: setup.data, url, request, policy });
    if (!outcome.ok) {
      settle();
      return outcome;
    }
    const { upstream, secrets, retried } = outcome;
    const declared = Number(upstream.headers.get('content-length') ?? 0);
    if (declared > PROXY_MAX_RESPONSE_BYTES) {
      await upstream.body?.cancel();
      settle();
      return refuse(502, 'RESPONSE_TOO_LARGE', `The provider's answer is ${declared} bytes; the proxy passes on at most ${PROXY_MAX_RESPONSE_BYTES}.`);
    }
    const headers = new Headers();
    const named = (upstream.headers.get('connection') ?? '').toLowerCase().split(',').map((name) => name.trim());
    upstream.headers.forEach((value, name) => {
      if (!DROPPED_RESPONSE_HEADERS.has(name) && !named.includes(name) && !secrets.some((secret) => value.includes(secret))) headers.set(name, value);
    });
    // A provider's page is never a page of Strongroom's origin, should anything ever render one.
    headers.set('content-security-policy', "sandbox; default-src 'none'");
    const noBody = upstream.status === 204 || upstream.status === 205 || upstream.status === 304 || !upstream.body;
    if (noBody) {
      await upstream.body?.cancel();
      settle();
      return { ok: true, data: { response: new Response(null, { status: upstream.status, headers }), pathTemplate: path.template, retried, finished: Promise.resolve({ bytes: 0, complete: true }) } };
    }
    const { stream, finished } = scrubbedAndCapped(upstream.body!, { secrets, maxBytes: PROXY_MAX_RESPONSE_BYTES });
    void finished.finally(settle);
    return { ok: true, data: { response: new Response(stream, { status: upstream.status, statusText: upstream.statusText, headers }), pathTemplate: path.template, retried, finished } };
  } catch (error) {
    settle();
    if (!(error instanceof OutboundError)) throw error;
    const status = error.code === 'timeout' ? 504 : 502;
    return refuse(status, error.code === 'timeout' ? 'PROVIDER_TIMEOUT' : 'PROVIDER_UNREACHABLE', error.message);
  }
}

/** The call, made once, or twice when a bearer token was refused (401) and a new one can be had. */
async function exchange(
  services: Services,
  { actor, credential, definition, setup, url, request, policy }: { actor: Actor; credential: { id: string; version: number }; definition: ProxyDefinition; setup: ProxySetup; url: URL; request: ProxyRequest; policy: OutboundPolicy },
): Promise<{ ok: true; upstream: Response; secrets: string[]; retried: boolean } | { ok: false; refusal: ProxyRefusal }> {
  const send = async () => {
    const headers = new Headers();
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    for (const [name, value] of Object.entries(setup.headers)) headers.set(name, value);
    const secrets = [...setup.secrets];
    if (definition.auth === 'bearer') {
      const token = await getAccessToken(services, { credentialId: credential.id, credentialVersion: credential.version, actor, policy });
      if (!token.ok) return { ok: false as const, refusal: { status: token.error.code === 'PROVIDER_UNREACHABLE' ? 502 : 409, code: token.error.code, message: `No access token for the call: ${token.error.message}` } };
      headers.set('authorization', `Bearer ${token.data.accessToken}`);
      secrets.push(...secretForms(token.data.accessToken));
    }
    const body = request.method === 'GET' || request.method === 'DELETE' || !request.body ? null : request.body;
    const upstream = await guardedResponse(url, { method: request.method, headers, body }, policy, setup.agent ?? undefined);
    return { ok: true as const, upstream, secrets };
  };
  const first = await send();
  if (!first.ok || first.upstream.status !== 401 || definition.auth !== 'bearer') return first.ok ? { ...first, retried: false } : first;
  const lastForced = state.forcedRefreshAt.get(credential.id) ?? -Infinity;
  if (nowMs() - lastForced < FORCED_REFRESH_COOLDOWN_MS) return { ...first, retried: false };
  await first.upstream.body?.cancel();
  state.forcedRefreshAt.set(credential.id, nowMs());
  await invalidateAccessToken(services, credential.id);
  const second = await send();
  return second.ok ? { ...second, retried: true } : second;
}

/** The secret fields each way of applying a credential needs. */
const SECRET_FIELDS: Record<ProxyDefinition['auth'], readonly string[]> = { bearer: [], header: ['apiKey'], basic: ['password'], 'zatca-basic': ['csidSecret'], mtls: [] };

/**
 * The credential as applied to calls (base URL, headers, TLS agent), from memory or opened from its
 * sealed form: audited as credential.open (purpose proxy) once per version and memory interval, not
 * per call. A bearer credential opens nothing here: its token comes from the token service.
 */
async function proxySetup(services: Services, actor: Actor, credential: { id: string; profile: string; version: number }, definition: ProxyDefinition, policy: OutboundPolicy): Promise<Result<ProxySetup>> {
  const remembered = setups.recall(credential.id, credential.version);
  if (remembered) return ok(remembered);
  let config: Record<string, string>;
  let secrets: Partial<Record<string, string>> = {};
  let version: number;
  let agent: Agent | null = null;
  if (definition.auth === 'mtls') {
    const opened = await openCertificateKey(services, { actor, credentialId: credential.id, purpose: 'proxy' });
    if (!opened.ok) return opened;
    ({ config, version } = opened.data);
    if (config[definition.baseUrlField]) agent = clientCertificateAgent(policy, opened.data);
  } else if (SECRET_FIELDS[definition.auth].length) {
    const opened = await openCredentialForUse(services, { actor, credentialId: credential.id, fields: SECRET_FIELDS[definition.auth], purpose: 'proxy' });
    if (!opened.ok) return opened;
    ({ config, secrets, version } = opened.data);
  } else {
    const found = await services.prisma.credential.findFirst({ where: { id: credential.id, deletedAt: null }, select: { config: true, version: true } });
    if (!found) return fail('NOT_FOUND', 'This credential does not exist or was deleted.');
    config = found.config as Record<string, string>;
    version = found.version;
  }
  const baseUrl = config[definition.baseUrlField];
  if (!baseUrl) return fail('INVALID_STATE', `This credential has no ${fieldLabel(credential.profile, definition.baseUrlField)} yet; an administrator can add it, and services can then call through the proxy.`);

  const headers: Record<string, string> = {};
  const sent: string[] = [];
  if (definition.auth === 'header') {
    if (!secrets.apiKey) return fail('INVALID_STATE', 'This credential holds no API key.');
    headers[config.headerName ?? 'X-API-Key'] = secrets.apiKey;
    sent.push(secrets.apiKey);
  } else if (definition.auth === 'basic') {
    const basic = Buffer.from(`${config.username ?? ''}:${secrets.password ?? ''}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
    sent.push(basic, secrets.password ?? '');
  } else if (definition.auth === 'zatca-basic') {
    if (!config.certificate || !secrets.csidSecret) return fail('INVALID_STATE', 'This unit has no CSID yet: onboard it first.');
    const basic = Buffer.from(`${binarySecurityTokenOf(config.certificate)}:${secrets.csidSecret}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
    sent.push(basic, secrets.csidSecret);
  }
  const setup: ProxySetup = { baseUrl, headers, secrets: sent.flatMap(secretForms), agent, close: () => void agent?.close() };
  setups.remember(credential.id, version, setup);
  return ok(setup);
}

/**
 * A secret as a provider might echo it: as sent, JSON-escaped, URL-encoded. Values under 8 characters
 * are not scrubbed (they would match ordinary text); profiles' secrets are longer in practice.
 */
function secretForms(secret: string): string[] {
  if (secret.length < 8) return [];
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];
}
