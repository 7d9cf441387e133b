import 'server-only';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import type { Failure } from '@/lib/server/result';
import type { PrismaClient } from '@/prisma/generated/client';

/** Audits a refused change to a credential and returns the failure for the caller to show. */
export function refuseChange(
  prisma: PrismaClient,
  { actor, organizationId, action, credentialId, failure }: { actor: Actor; organizationId: string; action: string; credentialId?: string; failure: Failure },
): Promise<{ ok: false; error: Failure }> {
  return recordRefusal(prisma, { actor, organizationId, action, target: credentialId ? { type: 'Credential', id: credentialId } : null, failure });
}
