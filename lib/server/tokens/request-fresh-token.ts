import 'server-only';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { requestToken, type TokenOutcome, type TokenRequest } from '@/lib/server/tokens/request-token';

/** Retries inside one request, for blips: 200 ms, 400 ms (plus jitter), never past 2 s. */
const RETRY = { attempts: 2, baseMs: 200, capMs: 2_000 };

export const jitter = (ms: number) => ms * (0.5 + Math.random() / 2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks the token endpoint for a new token: with the refresh token when there is one, and, if the
 * provider rejects that for good, once more with the client secret (these profiles hold one).
 * Transient failures are retried twice with backoff, unless the provider asks to wait longer.
 */
export async function requestFreshToken(
  base: TokenRequest,
  refreshToken: string | undefined,
  policy: OutboundPolicy,
): Promise<{ outcome: TokenOutcome; grantType: 'refresh_token' | 'client_credentials' }> {
  if (refreshToken) {
    const outcome = await withRetries(() => requestToken({ ...base, refreshToken }, policy));
    if (outcome.ok || outcome.kind !== 'permanent') return { outcome, grantType: 'refresh_token' };
  }
  return { outcome: await withRetries(() => requestToken(base, policy)), grantType: 'client_credentials' };
}

export async function withRetries(call: () => Promise<TokenOutcome>): Promise<TokenOutcome> {
  let outcome = await call();
  for (let attempt = 0; attempt < RETRY.attempts && !outcome.ok && outcome.kind === 'transient'; attempt++) {
    const wait = Math.max(jitter(Math.min(RETRY.baseMs * 2 ** attempt, RETRY.capMs)), (outcome.retryAfterSeconds ?? 0) * 1000);
    if (wait > RETRY.capMs) break; // the provider asks for longer: leave it to the cooldown
    await sleep(wait);
    outcome = await call();
  }
  return outcome;
}
