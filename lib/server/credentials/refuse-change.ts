import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Failure } from '@/lib/server/result';
import type { PrismaClient } from '@/prisma/generated/client';

/** Audits a refused change to a credential and returns the failure for the caller to show. */
export async function refuseChange(
  prisma: PrismaClient,
  { actor, organizationId, action, credentialId, failure }: { actor: Actor; organizationId: string; action: string; credentialId?: string; failure: Failure },
): Promise<{ ok: false; error: Failure }> {
  await recordAuditEvent(prisma, {
    actor,
    action,
    target: credentialId ? { type: 'Credential', id: credentialId } : null,
    organizationId,
    outcome: 'DENIED',
    details: { reason: failure.code },
  });
  return { ok: false, error: failure };
}
