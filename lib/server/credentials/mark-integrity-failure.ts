import 'server-only';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { now } from '@/lib/server/clock';
import { credentialNotices } from '@/lib/server/notifications/credential-notice';
import { dayKey, raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import { logger } from '@/lib/server/logger';
import type { PrismaClient } from '@/prisma/generated/client';

/**
 * A sealed value of this credential did not open (altered, moved, or its key is gone): the credential
 * needs attention, and the event is audited. Other credentials are unaffected.
 */
export async function markIntegrityFailure(
  prisma: PrismaClient,
  credential: { id: string; organizationId: string },
  field: string,
): Promise<void> {
  const lastError = `Integrity: the stored ${field} cannot be opened; replace it.`;
  logger().error({ event: 'credential.integrity_failure', credentialId: credential.id, field }, 'sealed value failed to open');
  await prisma.$transaction(async (tx) => {
    await changeCredentialStatus(tx, {
      credential,
      to: 'NEEDS_ATTENTION',
      lastError,
      event: { actor: SYSTEM_ACTOR, action: 'credential.integrity_failure', outcome: 'FAILURE', details: { field } },
    });
    const data = (await credentialNotices(tx, [credential.id])).get(credential.id) ?? {};
    await raiseNotifications(tx, [
      { organizationId: credential.organizationId, credentialId: credential.id, event: 'credential.integrity_failure', dedupeKey: `credential.integrity_failure:${credential.id}:${dayKey(now())}`, data: { ...data, field } },
    ]);
  });
}
