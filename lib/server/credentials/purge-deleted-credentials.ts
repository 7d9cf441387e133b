import 'server-only';
import { now as currentTime } from '@/lib/server/clock';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { RECOVERY_DAYS } from '@/lib/server/credentials/delete-credential';
import { destroyCredentialSecrets } from '@/lib/server/credentials/credential-secrets';
import type { PrismaClient } from '@/prisma/generated/client';

/** Removes credentials deleted more than RECOVERY_DAYS ago, with their sealed secrets and history. */
export async function purgeDeletedCredentials(prisma: PrismaClient, now = currentTime()): Promise<number> {
  const expired = await prisma.credential.findMany({
    where: { deletedAt: { lt: new Date(now.getTime() - RECOVERY_DAYS * 86_400_000) } },
    select: { id: true, organizationId: true },
  });
  for (const credential of expired) {
    await prisma.$transaction(async (tx) => {
      await destroyCredentialSecrets(tx, credential);
      await tx.credential.delete({ where: { id: credential.id } });
      await appendAuditEvent(tx, {
        actor: SYSTEM_ACTOR,
        action: 'credential.purge',
        target: { type: 'Credential', id: credential.id },
        organizationId: credential.organizationId,
        outcome: 'SUCCESS',
      });
    });
  }
  return expired.length;
}
