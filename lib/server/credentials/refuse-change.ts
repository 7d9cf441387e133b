import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import type { Failure } from '@/lib/server/result';
import type { PrismaClient } from '@/prisma/generated/client';

/** Audits a refused change to a credential and returns the failure for the caller to show. */
export async function refuseChange(
  prisma: PrismaClient,
  { actor, organizationId, action, credentialId, failure }: { actor: Actor; organizationId: string; action: string; credentialId?: string; failure: Failure },
): Promise<{ ok: false; error: Failure }> {
  await prisma.$transaction((tx) =>
    appendAuditEvent(tx, {
      actor,
      action,
      target: credentialId ? { type: 'Credential', id: credentialId } : null,
      organizationId,
      outcome: 'DENIED',
      details: { reason: failure.code },
    }),
  );
  return { ok: false, error: failure };
}
