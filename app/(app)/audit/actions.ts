'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { prisma } from '@/lib/server/db/client';
import { AUDIT_READERS } from '@/lib/roles';

export type ChainCheck = { intact: true; events: number; headHash: string } | { intact: false; events: number; brokenAt: string; reason: string };

/** Walks the whole hash chain and reports the first break; the check itself is audited. */
export async function verifyAuditChainAction(): Promise<ActionResult<ChainCheck>> {
  const user = await requireRole(AUDIT_READERS, 'action:audit.verify');
  const db = await prisma();
  const report = await verifyAuditChain(db);
  const actor = await requestActor(user);
  await db.$transaction((tx) =>
    appendAuditEvent(tx, { actor, action: 'audit.verify', organizationId: user.organizationId, outcome: report.ok ? 'SUCCESS' : 'FAILURE', details: { events: report.events } }),
  );
  return {
    ok: true,
    data: report.ok
      ? { intact: true, events: report.events, headHash: report.headHash }
      : { intact: false, events: report.events, brokenAt: report.brokenAt.toString(), reason: report.reason },
  };
}
