import 'server-only';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { z } from 'zod';
import { readDerCertificate } from '@/lib/server/certificates/x509';
import { nowMs } from '@/lib/server/clock';
import { guardedFetch, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { scrubSecrets } from '@/lib/server/net/provider-text';
import { parseRetryAfter, type TokenOutcome } from '@/lib/server/tokens/request-token';
import { signAuthTokenRequest } from '@/lib/server/tokens/ksef-xades';

// KSeF 2.0 authentication (ksef-docs uwierzytelnianie.md; OpenAPI v2): not OAuth. A challenge; then
// either the KSeF token encrypted with the Ministry's public key (RSA-OAEP, SHA-256) together with
// the challenge's timestamp, or an AuthTokenRequest signed in XAdES with a KSeF certificate; then the
// asynchronous operation's status until it ends; then one redeem for an access and a refresh token.
// The access token is refreshed with the refresh token (≤ 7 days), then a new sign-in.

export type KsefSignIn =
  | { apiBaseUrl: string; nip: string; ksefToken: string }
  | { apiBaseUrl: string; nip: string; certificate: string; privateKey: string };

/** How long the asynchronous sign-in may take before it counts as a transient failure. */
const STATUS_POLL = { intervalMs: 250, attempts: 40 };

const ZTokenInfo = z.object({ token: z.string().min(1), validUntil: z.string() });
const ZChallenge = z.object({ challenge: z.string().min(1), timestampMs: z.number().int() });
const ZInit = z.object({ referenceNumber: z.string().min(1), authenticationToken: ZTokenInfo });
const ZStatus = z.object({ status: z.object({ code: z.number().int() }) });
const ZTokens = z.object({ accessToken: ZTokenInfo, refreshToken: ZTokenInfo });
const ZRefreshed = z.object({ accessToken: ZTokenInfo });
const ZPublicKeys = z.array(z.object({ certificate: z.string(), usage: z.array(z.string()), validFrom: z.string(), validTo: z.string() }));

class KsefFailure extends Error {
  constructor(readonly outcome: TokenOutcome & { ok: false }) {
    super(outcome.message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs in to KSeF (token or certificate) and redeems the access and refresh tokens. Never throws. */
export async function ksefSignIn(signIn: KsefSignIn, policy: OutboundPolicy): Promise<TokenOutcome> {
  const secrets = 'ksefToken' in signIn ? [signIn.ksefToken] : [signIn.privateKey];
  return guarded(secrets, async () => {
    const call = caller(signIn.apiBaseUrl, policy);
    const challenge = ZChallenge.parse(await call('POST', '/auth/challenge', { json: {} }));
    const context = { type: 'Nip', value: signIn.nip };
    const init = ZInit.parse(
      'ksefToken' in signIn
        ? await call('POST', '/auth/ksef-token', {
            json: { challenge: challenge.challenge, contextIdentifier: context, encryptedToken: encryptToken(await tokenEncryptionKey(call), `${signIn.ksefToken}|${challenge.timestampMs}`) },
          })
        : await call('POST', '/auth/xades-signature', { xml: signAuthTokenRequest({ challenge: challenge.challenge, nip: signIn.nip, certificate: signIn.certificate, privateKey: signIn.privateKey }) }),
    );
    const bearer = init.authenticationToken.token;
    for (let attempt = 0; ; attempt++) {
      const { status } = ZStatus.parse(await call('GET', `/auth/${encodeURIComponent(init.referenceNumber)}`, { bearer }));
      if (status.code === 200) break;
      if (status.code !== 100) throw refused(`KSeF refused the sign-in (status ${status.code}).`, `ksef_status_${status.code}`);
      if (attempt + 1 >= STATUS_POLL.attempts) throw new KsefFailure({ ok: false, kind: 'transient', code: 'ksef_pending', message: 'KSeF did not finish the sign-in in time.' });
      await sleep(STATUS_POLL.intervalMs);
    }
    const tokens = ZTokens.parse(await call('POST', '/auth/token/redeem', { bearer }));
    return { ...accessOutcome(tokens.accessToken), refreshToken: tokens.refreshToken.token };
  });
}

/** A new access token for a refresh token. A refused refresh token (expired, revoked) is permanent: sign in again. */
export function ksefRefresh(apiBaseUrl: string, refreshToken: string, policy: OutboundPolicy): Promise<TokenOutcome> {
  return guarded([refreshToken], async () => {
    const body = ZRefreshed.parse(await caller(apiBaseUrl, policy)('POST', '/auth/token/refresh', { bearer: refreshToken }));
    return accessOutcome(body.accessToken);
  });
}

function accessOutcome(accessToken: z.infer<typeof ZTokenInfo>): TokenOutcome & { ok: true } {
  const expiresIn = Math.floor((Date.parse(accessToken.validUntil) - nowMs()) / 1000);
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw new KsefFailure({ ok: false, kind: 'transient', code: 'invalid_response', message: 'KSeF sent an access token that is already expired.' });
  return { ok: true, accessToken: accessToken.token, tokenType: 'Bearer', expiresIn, httpStatus: 200 };
}

const refused = (message: string, code: string) => new KsefFailure({ ok: false, kind: 'permanent', code, message });

/** Runs a KSeF exchange; every failure becomes an outcome whose message names no secret. */
async function guarded(secrets: string[], run: () => Promise<TokenOutcome & { ok: true }>): Promise<TokenOutcome> {
  try {
    return await run();
  } catch (error) {
    const outcome: TokenOutcome & { ok: false } =
      error instanceof KsefFailure
        ? error.outcome
        : error instanceof OutboundError
          ? { ok: false, kind: ['url_refused', 'address_refused', 'redirect_refused'].includes(error.code) ? 'permanent' : 'transient', code: error.code, message: error.message }
          : error instanceof z.ZodError || error instanceof SyntaxError
            ? { ok: false, kind: 'transient', code: 'invalid_response', message: 'KSeF answered with something that is not a KSeF API 2.0 response.' }
            : (() => {
                throw error;
              })();
    return { ...outcome, message: scrubSecrets(outcome.message, secrets) };
  }
}

type Call = (method: 'GET' | 'POST', path: string, body: { json?: unknown; xml?: string; bearer?: string }) => Promise<unknown>;

/** One JSON call to the KSeF API; HTTP failures classified (429 and 5xx transient, 401/403 and other 4xx permanent). */
function caller(apiBaseUrl: string, policy: OutboundPolicy): Call {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return async (method, path, { json, xml, bearer }) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (json !== undefined) headers['content-type'] = 'application/json';
    if (xml !== undefined) headers['content-type'] = 'application/xml';
    const response = await guardedFetch(`${base}${path}`, { method, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : xml !== undefined ? { body: xml } : {}) }, policy);
    if (response.ok) return response.json();
    await response.body?.cancel();
    const httpStatus = response.status;
    if (httpStatus === 429 || httpStatus >= 500) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      throw new KsefFailure({
        ok: false,
        kind: 'transient',
        code: httpStatus === 429 ? 'rate_limited' : 'server_error',
        message: httpStatus === 429 ? 'KSeF is rate-limiting requests.' : `KSeF failed (HTTP ${httpStatus}).`,
        httpStatus,
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      });
    }
    throw new KsefFailure({ ok: false, kind: 'permanent', code: httpStatus === 401 || httpStatus === 403 ? 'unauthorized' : 'ksef_refused', message: `KSeF refused the request to ${path.replace(/\/auth\/[^/]+$/, '/auth/{reference}')} (HTTP ${httpStatus}).`, httpStatus });
  };
}

/** The Ministry's current public key for KSeF token encryption (usage KsefTokenEncryption). */
async function tokenEncryptionKey(call: Call) {
  const keys = ZPublicKeys.parse(await call('GET', '/security/public-key-certificates', {}));
  const at = nowMs();
  const current = keys.find((k) => k.usage.includes('KsefTokenEncryption') && Date.parse(k.validFrom) <= at && at < Date.parse(k.validTo));
  if (!current) throw new KsefFailure({ ok: false, kind: 'transient', code: 'invalid_response', message: 'KSeF published no current key for token encryption.' });
  const certificate = readDerCertificate(new Uint8Array(Buffer.from(current.certificate, 'base64')));
  return createPublicKey(certificate.toString('pem'));
}

const encryptToken = (key: ReturnType<typeof createPublicKey>, plain: string) =>
  publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(plain, 'utf8')).toString('base64');
