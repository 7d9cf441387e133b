'use server';

import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import type { ActionResult } from '@/lib/schemas/action-result';
import { auditChainOf } from '@/lib/server/audit/append-audit-event';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { writeAuditCheckpoint } from '@/lib/server/audit/write-audit-checkpoint';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import { services } from '@/lib/server/services';
import { AUDIT_READERS } from '@/lib/roles';

export type ChainCheck =
  | { intact: true; events: number; headHash: string; checkpoints: number }
  | { intact: false; events: number; brokenAt: string; reason: string };

/**
 * Signs a checkpoint of the organization's chain as it is now, then walks the chain with every
 * checkpoint and reports the first break. Only the viewer's organization is verified; the check
 * itself is audited.
 */
export async function verifyAuditChainAction(): Promise<ActionResult<ChainCheck>> {
  const user = await requireRole(AUDIT_READERS, 'action:audit.verify');
  const { prisma: db, keyring: keys } = await services();
  const chain = auditChainOf(user.organizationId);
  await writeAuditCheckpoint(db, keys, { chain });
  const report = await verifyAuditChain(db, { chain, publicKeys: await trustedAuditKeys(db, keys) });
  const actor = await requestActor(user);
  await recordAuditEvent(db, { actor, action: 'audit.verify', organizationId: user.organizationId, outcome: report.ok ? 'SUCCESS' : 'FAILURE', details: { events: report.events } });
  return {
    ok: true,
    data: report.ok
      ? { intact: true, events: report.events, headHash: report.headHash, checkpoints: report.checkpoints }
      : { intact: false, events: report.events, brokenAt: report.brokenAt.toString(), reason: report.reason },
  };
}
