import 'server-only';
import { now } from '@/lib/server/clock';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/** Revokes a service account's key for good. */
export async function revokeServiceAccount({ prisma }: Services, { actor, organizationId, id }: { actor: Actor; organizationId: string; id: string }): Promise<Result<null>> {
  const done = await prisma.$transaction(async (tx) => {
    const { count } = await tx.serviceAccount.updateMany({ where: { id, organizationId, revokedAt: null }, data: { revokedAt: now() } });
    await appendAuditEvent(tx, { actor, action: 'service_account.revoke', target: { type: 'ServiceAccount', id }, organizationId, outcome: count ? 'SUCCESS' : 'DENIED' });
    return count === 1;
  });
  return done ? ok(null) : fail('NOT_FOUND', 'No such active service account.');
}
