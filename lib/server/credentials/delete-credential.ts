import 'server-only';
import { ZCredentialRef, type TCredentialRef } from '@/lib/schemas/credential-profiles';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import type { Approval } from '@/lib/server/credentials/update-credential';
import type { Services } from '@/lib/server/services';
import { ok, type Result } from '@/lib/server/result';
import type { Prisma } from '@/prisma/generated/client';

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
  const changed = await prisma.$transaction((tx) => applyDelete(tx, { actor, credential: { id: credentialId, organizationId }, version, restore }));
  if (!changed) {
    const exists = await prisma.credential.count({ where: { id: credentialId, organizationId } });
    return exists
      ? refuse('CONFLICT', 'This credential changed since you opened it (or its recovery window has passed). Reload and try again.')
      : refuse('NOT_FOUND', 'This credential does not exist.');
  }
  return ok({ purgeAfter: restore ? null : new Date(now().getTime() + RECOVERY_DAYS * 86_400_000) });
}

/** Deletes or restores in the caller's transaction if the credential is still at `version` (and, to restore, inside its recovery window). */
export async function applyDelete(
  tx: Prisma.TransactionClient,
  {
    actor,
    credential,
    version,
    restore,
    approval,
  }: { actor: Actor; credential: { id: string; organizationId: string }; version: number; restore: boolean; approval?: Approval },
): Promise<boolean> {
  const at = now();
  const deletedBy = approval ? `${approval.requestedBy}, approved by ${actor.label ?? 'an administrator'}` : (actor.label ?? null);
  const { count } = await tx.credential.updateMany({
    where: {
      id: credential.id,
      organizationId: credential.organizationId,
      version,
      deletedAt: restore ? { gt: new Date(at.getTime() - RECOVERY_DAYS * 86_400_000) } : null,
    },
    data: restore ? { deletedAt: null, deletedBy: null, version: { increment: 1 } } : { deletedAt: at, deletedBy, version: { increment: 1 } },
  });
  if (count === 0) return false;
  await appendAuditEvent(tx, {
    actor,
    action: restore ? 'credential.restore' : 'credential.delete',
    target: { type: 'Credential', id: credential.id },
    organizationId: credential.organizationId,
    outcome: 'SUCCESS',
    ...(approval ? { details: { changeRequest: approval.requestId, requestedBy: approval.requestedBy } } : {}),
  });
  return true;
}
