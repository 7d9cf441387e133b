import 'server-only';
import { nowMs } from '@/lib/server/clock';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import type { Services } from '@/lib/server/services';
import { refreshAhead, settleRefreshing } from '@/lib/server/tokens/get-access-token';
import { REFRESH_BUFFER_SECONDS } from '@/lib/server/tokens/token-memory';

/** Token endpoints are someone else's: at most this many refreshes at once from one instance. */
export const REFRESH_CONCURRENCY = 8;

/**
 * The proactive refresh: every ACTIVE OAuth credential whose stored token reaches its refresh point
 * before the next run (`horizonMs` from now) gets a new one now, at most `concurrency` at a time,
 * each under its lease and single flight (refreshAhead), skipping those in a cooldown or leased by
 * another instance. A credential left REFRESHING by a crashed instance (its lease lapsed) is put
 * back to ACTIVE first, so it is picked up again.
 */
export async function refreshDueTokens(
  services: Services,
  { horizonMs, concurrency = REFRESH_CONCURRENCY, policy }: { horizonMs: number; concurrency?: number; policy?: OutboundPolicy },
): Promise<{ refreshed: number; failed: number; skipped: number; recovered: number }> {
  const { prisma } = services;
  const now = new Date(nowMs());
  const stranded = await prisma.credential.findMany({
    where: { status: { equals: 'REFRESHING' }, OR: [{ tokenGrant: null }, { tokenGrant: { OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] } }] },
    select: { id: true, organizationId: true },
  });
  let recovered = 0;
  for (const credential of stranded) if (await settleRefreshing(services, credential)) recovered += 1;

  const horizon = new Date(now.getTime() + horizonMs);
  const due = await prisma.$queryRaw<{ credentialId: string }[]>`
    SELECT g."credentialId"::text FROM "TokenGrant" g JOIN "Credential" c ON c.id = g."credentialId"
     WHERE c.status = 'ACTIVE' AND c."deletedAt" IS NULL AND g."expiresAt" IS NOT NULL AND g."obtainedAt" IS NOT NULL
       AND g."expiresAt" - LEAST(make_interval(secs => ${REFRESH_BUFFER_SECONDS}), (g."expiresAt" - g."obtainedAt") / 2) <= ${horizon}
       AND (g."nextAttemptAt" IS NULL OR g."nextAttemptAt" <= ${now})
       AND (g."leaseUntil" IS NULL OR g."leaseUntil" < ${now})
     ORDER BY g."expiresAt"`;
  const counts = { refreshed: 0, failed: 0, skipped: 0, recovered };
  const queue = due.map((row) => row.credentialId);
  const worker = async () => {
    for (let credentialId = queue.shift(); credentialId; credentialId = queue.shift()) {
      counts[await refreshAhead(services, { credentialId, ...(policy ? { policy } : {}) })] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return counts;
}
