import 'server-only';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import type { Failure } from '@/lib/server/result';
import type { PrismaClient } from '@/prisma/generated/client';

/** Audits a refused request (outcome DENIED, the failure's code as the reason) and returns the failure for the caller to show. */
export async function recordRefusal(
  prisma: PrismaClient,
  { actor, organizationId, action, target, failure }: { actor: Actor; organizationId: string | null; action: string; target?: { type: string; id: string } | null; failure: Failure },
): Promise<{ ok: false; error: Failure }> {
  await recordAuditEvent(prisma, { actor, action, target: target ?? null, organizationId, outcome: 'DENIED', details: { reason: failure.code } });
  return { ok: false, error: failure };
}
