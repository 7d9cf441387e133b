import 'server-only';
import { z } from 'zod';
import { guardedFetch, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { scrubSecrets } from '@/lib/server/net/provider-text';
import { parseRetryAfter, type TokenOutcome } from '@/lib/server/tokens/request-token';

// Calling the KSeF API 2.0: JSON (or XML) over the outbound guard, HTTP failures classified the way
// token requests are (429 and 5xx transient with Retry-After, other refusals permanent), and every
// failure turned into a message of ours that names no secret.

export class KsefFailure extends Error {
  constructor(readonly outcome: TokenOutcome & { ok: false }) {
    super(outcome.message);
  }
}

export const refused = (message: string, code: string) => new KsefFailure({ ok: false, kind: 'permanent', code, message });

/** Runs a KSeF exchange; every failure becomes an outcome whose message names no secret. */
export type KsefFailureOutcome = TokenOutcome & { ok: false };

export async function guarded<T extends { ok: true }>(secrets: string[], run: () => Promise<T>): Promise<T | KsefFailureOutcome> {
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

export type Call = (method: 'GET' | 'POST', path: string, body: { json?: unknown; xml?: string; bearer?: string }) => Promise<unknown>;

/** One call to the KSeF API; HTTP failures classified (429 and 5xx transient, 401/403 and other 4xx permanent). */
export function caller(apiBaseUrl: string, policy: OutboundPolicy): Call {
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


/** How long an asynchronous KSeF operation (a sign-in, an enrolment) may take before it counts as a transient failure. */
const STATUS_POLL = { intervalMs: 250, attempts: 40 };
const ZStatus = z.object({ status: z.object({ code: z.number().int() }) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads an operation's status until it ends: 200 done (returns the last answer), 100 in progress,
 * anything else a refusal (`ksef_status_<code>`); too long in progress is transient.
 */
export async function untilDone(what: string, read: () => Promise<unknown>): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const answer = await read();
    const { status } = ZStatus.parse(answer);
    if (status.code === 200) return answer;
    if (status.code !== 100) throw refused(`KSeF refused ${what} (status ${status.code}).`, `ksef_status_${status.code}`);
    if (attempt + 1 >= STATUS_POLL.attempts) throw new KsefFailure({ ok: false, kind: 'transient', code: 'ksef_pending', message: `KSeF did not finish ${what} in time.` });
    await sleep(STATUS_POLL.intervalMs);
  }
}
