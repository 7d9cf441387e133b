import 'server-only';
import { NextResponse } from 'next/server';
import type { z } from 'zod';
import type { TServiceScope } from '@/lib/schemas/service-account';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { expiredSince, type ServiceAccountPrincipal } from '@/lib/server/api/principal-cache';
import { clientIp } from '@/lib/server/auth/client-ip';
import { takePoint, type LimitRule } from '@/lib/server/auth/rate-limits';
import { principals, services, type Services } from '@/lib/server/services';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { logger } from '@/lib/server/logger';
import { currentRequestId, noteActorType } from '@/lib/server/request-context';
import type { Failure } from '@/lib/server/result';

export interface ServiceContext {
  services: Services;
  account: ServiceAccountPrincipal;
  actor: Actor;
  /** Adds to the details of the call's audit event (never a secret, body or token). */
  note: (details: Record<string, unknown>) => void;
  /**
   * Writes the call's audit event once `details` resolves (a streamed answer has been passed on), with
   * them added, instead of before the answer goes.
   */
  auditAfter: (details: Promise<Record<string, unknown>>) => void;
  /** Set when the route names a credential: it exists, in the account's organization and entities. */
  credential?: { id: string; organizationId: string; legalEntityId: string; profile: string; version: number; entityArchived: boolean; expiredAt: Date | null };
}

const STATUS: Partial<Record<Failure['code'], number>> = {
  NOT_FOUND: 404,
  VALIDATION: 400,
  CONFLICT: 409,
  INVALID_STATE: 409,
  INTEGRITY: 409,
  RATE_LIMITED: 503,
  PROVIDER_UNREACHABLE: 502,
  KEYS_UNAVAILABLE: 503,
  FORBIDDEN: 403,
};

export const apiError = (status: number, code: string, message: string) =>
  NextResponse.json({ error: { code, message } }, { status, headers: { 'Cache-Control': 'no-store' } });

/** A successful answer, its body typed by the schema the OpenAPI document describes it with (lib/schemas/service-api.ts). */
export const apiJson = <Schema extends z.ZodType>(_schema: Schema, body: z.input<Schema>, init?: ResponseInit) => NextResponse.json(body, init);

/** An operation's failure as the API's JSON error body. */
export const apiFailure = (failure: Failure) => apiError(STATUS[failure.code] ?? 400, failure.code, failure.message);

/**
 * A request body of at most `maxBytes`, read no further than that (a larger one is refused without
 * reading the rest), or the refusal to answer with.
 */
export async function readBody(request: Request, maxBytes: number): Promise<{ ok: true; body: Buffer<ArrayBuffer> } | { ok: false; response: NextResponse }> {
  const tooLarge = () => ({ ok: false as const, response: apiError(413, 'TOO_LARGE', `The request body is over ${maxBytes} bytes.`) });
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return tooLarge();
      }
      chunks.push(read.value);
    }
  }
  return { ok: true, body: Buffer.concat(chunks) };
}

/** A JSON request body of at most `maxBytes` (readBody), parsed, or the refusal to answer with. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<{ ok: true; body: unknown } | { ok: false; response: NextResponse }> {
  const read = await readBody(request, maxBytes);
  if (!read.ok) return read;
  try {
    return { ok: true, body: JSON.parse(read.body.toString('utf8')) };
  } catch {
    return { ok: false, response: apiError(400, 'VALIDATION', 'The request body is not JSON.') };
  }
}

/** A refusal of a spent rate limit: 429 with Retry-After. */
export function rateLimited(message: string, retryAfterSeconds: number): NextResponse {
  const response = apiError(429, 'RATE_LIMITED', message);
  response.headers.set('Retry-After', String(retryAfterSeconds));
  return response;
}

/** Wrong or missing keys allowed per client address per minute before it is refused outright. */
export const API_AUTH_LIMIT: LimitRule = { keyPrefix: 'api-auth', points: 20, windowSeconds: 60 };
/**
 * A request without a valid key: refused with 401, or 429 once its address has failed too often.
 * Audited in aggregate (the first failure of an address's window, and the moment it is blocked),
 * so a flood of wrong keys neither fills the audit log nor costs more than a counter update.
 */
export async function refuseUnauthenticated(v: Services, { ip, userAgent, action, hadKey }: { ip: string; userAgent: string | null; action: string; hadKey: boolean }): Promise<NextResponse> {
  const failures = (await takePoint(v.prisma, API_AUTH_LIMIT, ip)).consumed;
  if (failures === 1 || failures === API_AUTH_LIMIT.points + 1) {
    await recordAuditEvent(v.prisma, {
      actor: { type: 'ANONYMOUS', ip, userAgent },
      action,
      organizationId: null,
      outcome: 'DENIED',
      details: failures === 1 ? { reason: 'unauthenticated', firstOfWindow: true } : { reason: 'unauthenticated', blocked: true, failuresInWindow: failures - 1, windowSeconds: API_AUTH_LIMIT.windowSeconds },
    });
  }
  if (failures > API_AUTH_LIMIT.points) return rateLimited('Too many requests without a valid API key from this address; try again later.', API_AUTH_LIMIT.windowSeconds);
  return apiError(401, 'UNAUTHENTICATED', hadKey ? 'This API key is not valid (or was revoked).' : 'Send an API key: Authorization: Bearer <key>.');
}

/**
 * What a route answers for an error it did not expect: 503 with Retry-After when the key provider
 * cannot be used (nothing is wrong with the credential, and it recovers by itself), 500 otherwise.
 * Either way the message says nothing of the cause; the log does.
 */
export function apiErrorFor(error: unknown, action: string): NextResponse {
  if (error instanceof KeyProviderError) {
    logger().error({ event: 'api.keys_unavailable', action, err: error.message }, 'key provider unavailable');
    const response = apiError(503, 'KEYS_UNAVAILABLE', 'The key provider cannot be used right now, so no secret can be opened; try again shortly.');
    response.headers.set('Retry-After', '5');
    return response;
  }
  logger().error({ event: 'api.error', action, err: error instanceof Error ? error.message : String(error) }, 'service API failure');
  const requestId = currentRequestId();
  return apiError(500, 'INTERNAL', `Something went wrong; it was logged${requestId ? ` under request ${requestId}: quote it to your operator` : ''}.`);
}

/**
 * The one wrapper of every /api/v1 route: authenticates the service account's key (Authorization:
 * Bearer or X-API-Key), checks the operation's scope and the credential's legal entity, audits the
 * call whatever its outcome, and answers errors as JSON `{ error: { code, message } }`.
 */
export async function serviceApi(
  request: Request,
  { scope, action, credentialId }: { scope: TServiceScope; action: string; credentialId?: string },
  handler: (context: ServiceContext) => Promise<NextResponse>,
): Promise<NextResponse> {
  const v = await services();
  const ip = clientIp(request.headers);
  const userAgent = request.headers.get('user-agent');
  const key = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? request.headers.get('x-api-key') ?? '';
  const { account, credential: facts } = key ? await (await principals()).find(key, credentialId) : { account: null, credential: null };
  noteActorType(account ? 'SERVICE_ACCOUNT' : 'ANONYMOUS');
  if (!account) {
    const response = await refuseUnauthenticated(v, { ip, userAgent, action, hadKey: Boolean(key) });
    response.headers.set('Cache-Control', 'no-store');
    return response;
  }
  const actor: Actor = { type: 'SERVICE_ACCOUNT', id: account.id, label: account.name, ip, userAgent };
  const credential = facts && { id: facts.id, organizationId: facts.organizationId, legalEntityId: facts.legalEntityId, profile: facts.profile, version: facts.version, entityArchived: facts.entityArchived, expiredAt: expiredSince(facts) };
  const noted: Record<string, unknown> = {};
  const audit = (outcome: 'SUCCESS' | 'DENIED' | 'FAILURE', status: number, more: Record<string, unknown> = {}) =>
    recordAuditEvent(v.prisma, {
      actor,
      action,
      target: credentialId ? { type: 'Credential', id: credentialId } : null,
      organizationId: account.organizationId,
      outcome,
      details: { ...noted, ...more, status },
    });

  let response: NextResponse;
  let later: Promise<Record<string, unknown>> | null = null;
  if (!account.scopes.includes(scope)) {
    response = apiError(403, 'FORBIDDEN', `This service account may not ${scope}.`);
  } else {
    if (credentialId && (!credential || credential.organizationId !== account.organizationId)) {
      response = apiError(404, 'NOT_FOUND', 'No such credential.');
    } else if (credential && !account.legalEntityIds.includes(credential.legalEntityId)) {
      response = apiError(403, 'FORBIDDEN', 'This service account may not use credentials of that legal entity.');
    } else if (credential?.entityArchived) {
      response = apiError(409, 'ENTITY_ARCHIVED', 'The legal entity of this credential is archived, so its credentials are not served; an administrator can restore it.');
    } else {
      try {
        const context = { services: v, account, actor, note: (details: Record<string, unknown>) => void Object.assign(noted, details), auditAfter: (details: Promise<Record<string, unknown>>) => void (later = details) };
        response = await handler({ ...context, ...(credential ? { credential } : {}) });
      } catch (error) {
        response = apiErrorFor(error, action);
      }
    }
  }
  const outcome = response.status < 400 ? 'SUCCESS' : response.status < 500 ? 'DENIED' : 'FAILURE';
  response.headers.set('Cache-Control', 'no-store');
  if (!later) {
    await audit(outcome, response.status);
    return response;
  }
  const { status } = response;
  void (later as Promise<Record<string, unknown>>)
    .then((details) => audit(outcome, status, details))
    .catch((error: unknown) => logger().error({ event: 'api.audit_failed', action, err: error instanceof Error ? error.message : String(error) }, 'audit event of a streamed answer not written'));
  return response;
}
