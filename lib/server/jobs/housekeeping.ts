import 'server-only';
import { now } from '@/lib/server/clock';
import { purgeDeletedCredentials } from '@/lib/server/credentials/purge-deleted-credentials';
import type { Services } from '@/lib/server/services';

/** Single-use links and ended sessions are kept this long after they stopped working, for the record. */
export const KEEP_ENDED_DAYS = 30;

/**
 * Removes what has stopped mattering: credentials past their recovery window (with their secrets),
 * expired step-up grants and rate-limit counters, and links and sessions that ended over
 * KEEP_ENDED_DAYS ago. Idempotent: a run cut short is finished by the next.
 */
export async function housekeeping({ prisma }: Pick<Services, 'prisma'>): Promise<string> {
  const at = now();
  const before = new Date(at.getTime() - KEEP_ENDED_DAYS * 86_400_000);
  const credentials = await purgeDeletedCredentials(prisma, at);
  const grants = await prisma.stepUpGrant.deleteMany({ where: { expiresAt: { lt: at } } });
  const limits = await prisma.rateLimiterFlexible.deleteMany({ where: { expire: { lt: at } } });
  const links = await prisma.oneTimeLink.deleteMany({ where: { OR: [{ usedAt: { lt: before } }, { cancelledAt: { lt: before } }, { expiresAt: { lt: before } }] } });
  const sessions = await prisma.session.deleteMany({ where: { OR: [{ endedAt: { lt: before } }, { expiresAt: { lt: before } }] } });
  return `${credentials} deleted credentials purged, ${grants.count} step-up grants, ${limits.count} rate-limit counters, ${links.count} links, ${sessions.count} sessions removed`;
}
