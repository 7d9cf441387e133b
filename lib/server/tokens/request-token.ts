import 'server-only';
import { nowMs } from '@/lib/server/clock';
import * as client from 'openid-client';
import { guardedFetch, OutboundError, type OutboundPolicy, defaultPolicy } from '@/lib/server/net/guarded-fetch';
import { knownOAuthError, scrubSecrets } from '@/lib/server/net/provider-text';

/** OAuth errors that no retry will fix: the credential needs a person. */
const PERMANENT = new Set(['invalid_client', 'invalid_grant', 'unauthorized_client', 'invalid_scope', 'unsupported_grant_type', 'invalid_request']);

/** Lifetime assumed when a token endpoint omits expires_in (short on purpose: refresh early). */
export const DEFAULT_TOKEN_SECONDS = 300;
const MAX_TOKEN_SECONDS = 30 * 86_400;

export interface TokenRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  clientAuth: 'client_secret_basic' | 'client_secret_post';
  scope?: string;
  audience?: string;
  /** Use the refresh_token grant instead of client_credentials. */
  refreshToken?: string;
}

export type TokenOutcome =
  | { ok: true; accessToken: string; tokenType: string; expiresIn: number; refreshToken?: string; scope?: string; httpStatus: number }
  | { ok: false; kind: 'permanent' | 'transient'; code: string; message: string; httpStatus?: number; retryAfterSeconds?: number };

/**
 * One request to a token endpoint through openid-client (client_credentials or refresh_token),
 * over the guarded fetch. Never throws: every failure is classified permanent or transient, with a
 * code from a fixed list (a provider's own `error` only if it is a known OAuth code) and a message
 * written by us and scrubbed of the request's secrets, so nothing a provider echoes gets further.
 */
export async function requestToken(request: TokenRequest, policy: OutboundPolicy = defaultPolicy()): Promise<TokenOutcome> {
  const outcome = await exchange(request, policy);
  if (outcome.ok) return outcome;
  const form = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  const secrets = [request.clientSecret, request.refreshToken, `${request.clientId}:${request.clientSecret}`, `${form(request.clientId)}:${form(request.clientSecret)}`];
  return { ...outcome, message: scrubSecrets(outcome.message, secrets) };
}

async function exchange(request: TokenRequest, policy: OutboundPolicy): Promise<TokenOutcome> {
  let last: { status: number; retryAfter: string | null } | undefined;
  const config = new client.Configuration(
    { issuer: new URL(request.tokenUrl).origin, token_endpoint: request.tokenUrl },
    request.clientId,
    undefined,
    request.clientAuth === 'client_secret_post' ? client.ClientSecretPost(request.clientSecret) : client.ClientSecretBasic(request.clientSecret),
  );
  config[client.customFetch] = async (url, options) => {
    const response = await guardedFetch(url, options as RequestInit, policy);
    last = { status: response.status, retryAfter: response.headers.get('retry-after') };
    return response;
  };
  if (new URL(request.tokenUrl).protocol === 'http:') client.allowInsecureRequests(config); // loopback only: checkUrl enforces it
  const parameters: Record<string, string> = {};
  if (request.scope) parameters.scope = request.scope;
  if (request.audience) parameters.audience = request.audience;
  try {
    const tokens = request.refreshToken
      ? await client.refreshTokenGrant(config, request.refreshToken, parameters)
      : await client.clientCredentialsGrant(config, parameters);
    const expiresIn = tokens.expires_in ?? DEFAULT_TOKEN_SECONDS;
    if (!Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > MAX_TOKEN_SECONDS) {
      return { ok: false, kind: 'transient', code: 'invalid_response', message: `The token endpoint sent an unusable lifetime (expires_in ${String(tokens.expires_in)}).`, httpStatus: last?.status };
    }
    return {
      ok: true,
      accessToken: tokens.access_token,
      tokenType: tokens.token_type ?? 'bearer',
      expiresIn,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
      httpStatus: last?.status ?? 200,
    };
  } catch (error) {
    return classify(error, last);
  }
}

function classify(error: unknown, last: { status: number; retryAfter: string | null } | undefined): TokenOutcome & { ok: false } {
  const httpStatus = last?.status;
  if (error instanceof OutboundError || (error as { cause?: unknown })?.cause instanceof OutboundError) {
    const outbound = error instanceof OutboundError ? error : ((error as { cause: OutboundError }).cause);
    const permanent = outbound.code === 'url_refused' || outbound.code === 'address_refused' || outbound.code === 'redirect_refused';
    return { ok: false, kind: permanent ? 'permanent' : 'transient', code: outbound.code, message: outbound.message, httpStatus };
  }
  if (httpStatus === 429 || (httpStatus !== undefined && httpStatus >= 500)) {
    const retryAfterSeconds = parseRetryAfter(last?.retryAfter ?? null);
    return {
      ok: false,
      kind: 'transient',
      code: httpStatus === 429 ? 'rate_limited' : 'server_error',
      message: httpStatus === 429 ? 'The token endpoint is rate-limiting requests.' : `The token endpoint failed (HTTP ${httpStatus}).`,
      httpStatus,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  }
  const oauthError =
    error instanceof client.ResponseBodyError
      ? error.error
      : error instanceof client.WWWAuthenticateChallengeError
        ? (error.cause[0]?.parameters.error ?? (httpStatus === 401 ? 'invalid_client' : undefined))
        : undefined;
  if (oauthError !== undefined) {
    const code = knownOAuthError(oauthError);
    return {
      ok: false,
      kind: PERMANENT.has(code) ? 'permanent' : 'transient',
      code,
      message: PERMANENT.has(code) ? `The token endpoint refused the credential (${code}).` : `The token endpoint answered with error ${code}.`,
      httpStatus,
    };
  }
  return {
    ok: false,
    kind: 'transient',
    code: 'invalid_response',
    message: `The token endpoint's answer is not a usable OAuth token response${httpStatus ? ` (HTTP ${httpStatus})` : ''}.`,
    httpStatus,
  };
}

/** Retry-After in seconds (delta or HTTP date), capped at an hour. */
export function parseRetryAfter(value: string | null, now = nowMs()): number | undefined {
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : Math.ceil((Date.parse(value) - now) / 1000);
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 3600) : undefined;
}
