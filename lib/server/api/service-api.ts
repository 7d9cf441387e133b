import 'server-only';
import { NextResponse } from 'next/server';
import type { TServiceScope } from '@/lib/schemas/service-account';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { clientIp } from '@/lib/server/auth/client-ip';
import { vault, type Vault } from '@/lib/server/credentials/vault';
import { logger } from '@/lib/server/logger';
import type { Failure } from '@/lib/server/result';
import { hashApiKey } from '@/lib/server/service-accounts/manage-service-accounts';

export interface ServiceAccountPrincipal {
  id: string;
  name: string;
  organizationId: string;
  scopes: string[];
  legalEntityIds: string[];
}

export interface ServiceContext {
  vault: Vault;
  account: ServiceAccountPrincipal;
  actor: Actor;
  /** Set when the route names a credential: it exists, in the account's organization and entities. */
  credential?: { id: string; organizationId: string; legalEntityId: string };
}

const STATUS: Partial<Record<Failure['code'], number>> = {
  NOT_FOUND: 404,
  VALIDATION: 400,
  CONFLICT: 409,
  INVALID_STATE: 409,
  INTEGRITY: 409,
  RATE_LIMITED: 503,
  FORBIDDEN: 403,
};

export const apiError = (status: number, code: string, message: string) =>
  NextResponse.json({ error: { code, message } }, { status, headers: { 'Cache-Control': 'no-store' } });

/** An operation's failure as the API's JSON error body. */
export const apiFailure = (failure: Failure) => apiError(STATUS[failure.code] ?? 400, failure.code, failure.message);

// Keys and credential scopes are looked up at most every few seconds per process: a revoked key or
// credential stops working within that time, and the hot path (token requests) skips two queries.
const MEMORY_MS = 5_000;
const accounts = new Map<string, { at: number; account: ServiceAccountPrincipal | null }>();
const credentials = new Map<string, { at: number; credential: { id: string; organizationId: string; legalEntityId: string } | null }>();

async function findAccount(v: Vault, key: string): Promise<ServiceAccountPrincipal | null> {
  const hash = hashApiKey(key);
  const hit = accounts.get(hash);
  if (hit && Date.now() - hit.at < MEMORY_MS) return hit.account;
  const account = await v.prisma.serviceAccount.findFirst({
    where: { keyHash: hash, revokedAt: null },
    select: { id: true, name: true, organizationId: true, scopes: true, legalEntityIds: true },
  });
  accounts.set(hash, { at: Date.now(), account });
  return account;
}

async function findCredential(v: Vault, id: string) {
  const hit = credentials.get(id);
  if (hit && Date.now() - hit.at < MEMORY_MS) return hit.credential;
  const credential = /^[0-9a-f-]{36}$/i.test(id)
    ? await v.prisma.credential.findFirst({ where: { id, deletedAt: null, status: { not: 'REVOKED' } }, select: { id: true, organizationId: true, legalEntityId: true } })
    : null;
  credentials.set(id, { at: Date.now(), credential });
  return credential;
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
  const v = await vault();
  const ip = clientIp(request.headers);
  const userAgent = request.headers.get('user-agent');
  const key = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? request.headers.get('x-api-key') ?? '';
  const account = key ? await findAccount(v, key) : null;
  const actor: Actor = account ? { type: 'SERVICE_ACCOUNT', id: account.id, label: account.name, ip, userAgent } : { type: 'ANONYMOUS', ip, userAgent };
  const audit = (outcome: 'SUCCESS' | 'DENIED' | 'FAILURE', status: number) =>
    recordAuditEvent(v.prisma, {
      actor,
      action,
      target: credentialId ? { type: 'Credential', id: credentialId } : null,
      organizationId: account?.organizationId ?? null,
      outcome,
      details: { status },
    });

  let response: NextResponse;
  if (!account) {
    response = apiError(401, 'UNAUTHENTICATED', key ? 'This API key is not valid (or was revoked).' : 'Send an API key: Authorization: Bearer <key>.');
  } else if (!account.scopes.includes(scope)) {
    response = apiError(403, 'FORBIDDEN', `This service account may not ${scope}.`);
  } else {
    const credential = credentialId ? await findCredential(v, credentialId) : undefined;
    if (credentialId && (!credential || credential.organizationId !== account.organizationId)) {
      response = apiError(404, 'NOT_FOUND', 'No such credential.');
    } else if (credential && !account.legalEntityIds.includes(credential.legalEntityId)) {
      response = apiError(403, 'FORBIDDEN', 'This service account may not use credentials of that legal entity.');
    } else {
      try {
        response = await handler({ vault: v, account, actor, ...(credential ? { credential } : {}) });
      } catch (error) {
        logger().error({ event: 'api.error', action, err: error instanceof Error ? error.message : String(error) }, 'service API failure');
        response = apiError(500, 'INTERNAL', 'Something went wrong; it was logged.');
      }
    }
  }
  await audit(response.status < 400 ? 'SUCCESS' : response.status < 500 ? 'DENIED' : 'FAILURE', response.status);
  response.headers.set('Cache-Control', 'no-store');
  return response;
}
