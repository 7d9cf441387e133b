import 'server-only';
import { ZCredentialRef, type TCredentialRef } from '@/lib/schemas/credential-profiles';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import type { Services } from '@/lib/server/services';
import { ok, type Result } from '@/lib/server/result';

/** Days a deleted credential stays restorable, secrets intact, before it is purged. */
export const RECOVERY_DAYS = 30;

/**
 * Deletes (`restore: false`) or restores (`restore: true`) a credential. Deleting hides it and keeps
 * its sealed secrets for RECOVERY_DAYS, so a mistaken delete loses nothing.
 */
export async function deleteCredential(
  { prisma }: Services,
  { actor, organizationId, input, restore = false }: { actor: Actor; organizationId: string; input: TCredentialRef; restore?: boolean },
): Promise<Result<{ purgeAfter: Date | null }>> {
  const action = restore ? 'credential.restore' : 'credential.delete';
  const parsed = ZCredentialRef.safeParse(input);
  const refuse = (code: 'NOT_FOUND' | 'CONFLICT', message: string) =>
    refuseChange(prisma, { actor, organizationId, action, credentialId: parsed.data?.credentialId, failure: { code, message } });
  if (!parsed.success) return refuse('NOT_FOUND', 'This credential does not exist.');
  const { credentialId, version } = parsed.data;
  const now = new Date();
  const changed = await prisma.$transaction(async (tx) => {
    const { count } = await tx.credential.updateMany({
      where: {
        id: credentialId,
        organizationId,
        version,
        deletedAt: restore ? { gt: new Date(now.getTime() - RECOVERY_DAYS * 86_400_000) } : null,
      },
      data: { deletedAt: restore ? null : now, version: { increment: 1 } },
    });
    if (count === 0) return false;
    await appendAuditEvent(tx, { actor, action, target: { type: 'Credential', id: credentialId }, organizationId, outcome: 'SUCCESS' });
    return true;
  });
  if (!changed) {
    const exists = await prisma.credential.count({ where: { id: credentialId, organizationId } });
    return exists
      ? refuse('CONFLICT', 'This credential changed since you opened it (or its recovery window has passed). Reload and try again.')
      : refuse('NOT_FOUND', 'This credential does not exist.');
  }
  return ok({ purgeAfter: restore ? null : new Date(now.getTime() + RECOVERY_DAYS * 86_400_000) });
}
