import 'server-only';
import { now } from '@/lib/server/clock';
import { expireChangeRequests } from '@/lib/server/approvals/close-change-request';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { destroyLapsedVersions } from '@/lib/server/credentials/secret-versions';
import { purgeDeletedCredentials } from '@/lib/server/credentials/purge-deleted-credentials';
import type { Services } from '@/lib/server/services';

/** Single-use links and ended sessions are kept this long after they stopped working, for the record. */
export const KEEP_ENDED_DAYS = 30;

/**
 * Removes what has stopped mattering: credentials past their recovery window (with their secrets),
 * previous secret versions past their rollback window, change requests past their deadline,
 * expired step-up grants and rate-limit counters, and links and sessions that ended over
 * KEEP_ENDED_DAYS ago. Idempotent: a run cut short is finished by the next.
 */
export async function housekeeping({ prisma }: Pick<Services, 'prisma'>): Promise<string> {
  const at = now();
  const before = new Date(at.getTime() - KEEP_ENDED_DAYS * 86_400_000);
  const credentials = await purgeDeletedCredentials(prisma, at);
  const requests = await expireChangeRequests(prisma, SYSTEM_ACTOR);
  const versions = await prisma.$transaction(async (tx) => {
    const destroyed = await destroyLapsedVersions(tx, at);
    for (const version of destroyed) {
      await appendAuditEvent(tx, {
        actor: SYSTEM_ACTOR,
        action: 'credential.version_destroy',
        target: { type: 'Credential', id: version.credentialId },
        organizationId: version.organizationId,
        outcome: 'SUCCESS',
        details: { secretVersion: version.number, reason: 'rollback window ended' },
      });
    }
    return destroyed.length;
  });
  const grants = await prisma.stepUpGrant.deleteMany({ where: { expiresAt: { lt: at } } });
  const challenges = await prisma.passkeyChallenge.deleteMany({ where: { expiresAt: { lt: at } } });
  const limits = await prisma.rateLimiterFlexible.deleteMany({ where: { expire: { lt: at } } });
  const links = await prisma.oneTimeLink.deleteMany({ where: { OR: [{ usedAt: { lt: before } }, { cancelledAt: { lt: before } }, { expiresAt: { lt: before } }] } });
  const sessions = await prisma.session.deleteMany({ where: { OR: [{ endedAt: { lt: before } }, { expiresAt: { lt: before } }] } });
  return `${credentials} deleted credentials purged, ${versions} previous secret versions destroyed, ${requests} change requests expired, ${grants.count} step-up grants, ${challenges.count} passkey challenges, ${limits.count} rate-limit counters, ${links.count} links, ${sessions.count} sessions removed`;
}
