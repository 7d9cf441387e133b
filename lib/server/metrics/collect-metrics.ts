import 'server-only';
import { performance } from 'node:perf_hooks';
import { CREDENTIAL_PROFILES } from '@/lib/schemas/credential-profiles';
import { nowMs } from '@/lib/server/clock';
import { keyHealth } from '@/lib/server/crypto/key-health';
import { healthSql } from '@/lib/server/dashboard/health-sql';
import { gauge, metricsText } from '@/lib/server/metrics/metrics';
import type { Services } from '@/lib/server/services';

// What is read from the database when Prometheus scrapes (every 15–60 s, not per request): the
// state every instance shares, so any instance answers the same.
const credentials = gauge('strongroom_credentials', 'Credentials (not deleted) by regime, status and health (EXPIRING: inside its lead time)', ['regime', 'status', 'health']);
const deliveries = gauge('strongroom_notification_deliveries', 'Notification deliveries not delivered (PENDING, or FAILED for good), by channel', ['channel', 'status']);
const auditHeadAge = gauge('strongroom_audit_last_event_age_seconds', 'Seconds since the newest audit event');
const checkpointAge = gauge('strongroom_audit_checkpoint_age_seconds', 'Seconds since the newest signed audit checkpoint (absent: none yet)');
const jobLag = gauge('strongroom_job_lag_seconds', 'Seconds a job is overdue (0 when not due yet)', ['job']);
const keysUsable = gauge('strongroom_key_provider_usable', 'Whether each key-encryption key can be used (1) or not (0)', ['provider', 'current']);
const dbUp = gauge('strongroom_database_up', 'Whether the database answered the scrape (1) or not (0)');
const dbSeconds = gauge('strongroom_database_probe_seconds', 'How long one SELECT 1 took at the scrape');

const regimeOf = (profile: string) => (CREDENTIAL_PROFILES as Record<string, { regime: string } | undefined>)[profile]?.regime ?? 'other';

/** Reads the shared state into its gauges and returns the whole registry as Prometheus text. */
export async function collectMetrics({ prisma, keyring }: Services): Promise<string> {
  const now = nowMs();
  for (const kek of await keyHealth(keyring)) keysUsable.set({ provider: kek.provider, current: String(kek.current) }, kek.usable ? 1 : 0);
  const started = performance.now();
  try {
    await prisma.$queryRaw`SELECT 1`;
    dbSeconds.set((performance.now() - started) / 1000);
    dbUp.set(1);
  } catch {
    dbUp.set(0);
    return metricsText();
  }
  const [byHealth, pending, newestEvent, newestCheckpoint, jobs] = await Promise.all([
    prisma.$queryRaw<{ profile: string; status: string; health: string; n: bigint }[]>`
      SELECT c.profile, c.status::text AS status, ${healthSql(new Date(now))} AS health, count(*) AS n
        FROM "Credential" c JOIN "Organization" o ON o.id = c."organizationId"
       WHERE c."deletedAt" IS NULL GROUP BY 1, 2, 3`,
    prisma.notificationDelivery.groupBy({ by: ['channel', 'status'], where: { status: { not: 'DELIVERED' } }, _count: true }),
    prisma.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { at: true } }),
    prisma.auditCheckpoint.findFirst({ orderBy: { signedAt: 'desc' }, select: { signedAt: true } }),
    prisma.scheduledJob.findMany({ select: { name: true, nextRunAt: true } }),
  ]);
  credentials.reset();
  for (const row of byHealth) credentials.inc({ regime: regimeOf(row.profile), status: row.status, health: row.health }, Number(row.n));
  deliveries.reset();
  for (const row of pending) deliveries.set({ channel: row.channel, status: row.status }, row._count);
  auditHeadAge.set(newestEvent ? Math.max(0, (now - newestEvent.at.getTime()) / 1000) : 0);
  checkpointAge.reset();
  if (newestCheckpoint) checkpointAge.set(Math.max(0, (now - newestCheckpoint.signedAt.getTime()) / 1000));
  jobLag.reset();
  for (const job of jobs) jobLag.set({ job: job.name }, Math.max(0, (now - job.nextRunAt.getTime()) / 1000));
  return metricsText();
}

