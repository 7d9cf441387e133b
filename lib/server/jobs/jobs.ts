import 'server-only';
import { signAllChains } from '@/lib/server/audit/write-audit-checkpoint';
import { runScheduledTests } from '@/lib/server/connection-tests/run-scheduled-tests';
import { runKeyRotation } from '@/lib/server/crypto/rotation-job';
import { scanExpiry } from '@/lib/server/credentials/scan-expiry';
import { env, publicUrl, type Env } from '@/lib/server/env';
import { housekeeping } from '@/lib/server/jobs/housekeeping';
import type { Job } from '@/lib/server/jobs/scheduler';
import { mailer } from '@/lib/server/mail/mailer';
import { defaultPolicy } from '@/lib/server/net/guarded-fetch';
import { deliverNotifications, WEBHOOK_TIMEOUT_MS, type DeliveryDeps } from '@/lib/server/notifications/deliver-notifications';
import { database, type Services } from '@/lib/server/services';
import { backupJob } from '@/lib/server/backup/scheduled-backup';
import type { Database } from '@/lib/server/db/open-database';
import { sendDailyDigests } from '@/lib/server/notifications/send-daily-digests';
import { refreshDueTokens } from '@/lib/server/tokens/refresh-due-tokens';

const SECOND = 1000;

/** The scheduled backup (listed only when BACKUP_DIR and BACKUP_RECIPIENT are set). */
export const BACKUP_JOB = 'backup';

/** The job that works a key rotation (Admin → Keys starts one and asks for this job at once). */
export const KEY_ROTATION_JOB = 'key-rotation';
const MINUTE = 60 * SECOND;

type JobConfig = Pick<
  Env,
  | 'HOUSEKEEPING_INTERVAL_MINUTES'
  | 'AUDIT_CHECKPOINT_INTERVAL_MINUTES'
  | 'TOKEN_REFRESH_INTERVAL_SECONDS'
  | 'SCHEDULED_TESTS_INTERVAL_MINUTES'
  | 'EXPIRY_SCAN_INTERVAL_MINUTES'
  | 'NOTIFICATION_DELIVERY_INTERVAL_SECONDS'
> &
  Partial<Pick<Env, 'BACKUP_DIR' | 'BACKUP_RECIPIENT' | 'BACKUP_KEEP' | 'BACKUP_INTERVAL_HOURS'>>;

/** What the jobs reach the outside world with: the mailer, the outbound guard's policy, the app's address for links, the database (for backups). */
export type JobDeps = DeliveryDeps & { database?: () => Promise<Database> };

/** What this process's jobs reach out with: its mailer, the outbound policy, its public address, its database. */
export const processJobDeps = (): JobDeps => ({ mailer: mailer(), policy: defaultPolicy(), baseUrl: publicUrl(), database });

/** The jobs of this process, at the environment's intervals. */
export const processJobs = (): Job[] => serverJobs(env(), processJobDeps());

/** Every periodic job of the server, with the intervals the environment sets. */
export function serverJobs(config: JobConfig, deps: JobDeps): Job[] {
  const tokenInterval = config.TOKEN_REFRESH_INTERVAL_SECONDS * SECOND;
  return [
    {
      name: 'token-refresh',
      description: 'Refreshes OAuth tokens that reach their refresh point before the next run (REFRESHING meanwhile)',
      intervalMs: tokenInterval,
      leaseMs: 10 * MINUTE,
      run: async (services) => {
        // Due before the next run, with a margin for a late tick.
        const done = await refreshDueTokens(services, { horizonMs: 2 * tokenInterval, policy: deps.policy });
        return `${done.refreshed} refreshed, ${done.failed} failed, ${done.skipped} skipped${done.recovered ? `, ${done.recovered} recovered` : ''}`;
      },
    },
    {
      name: 'connection-tests',
      description: 'Tests credentials whose scheduled connection test is due (trigger SCHEDULER)',
      intervalMs: config.SCHEDULED_TESTS_INTERVAL_MINUTES * MINUTE,
      leaseMs: 30 * MINUTE,
      run: async (services) => {
        const done = await runScheduledTests(services, { policy: deps.policy });
        return `${done.passed} passed, ${done.failed} failed${done.skipped ? `, ${done.skipped} skipped` : ''}`;
      },
    },
    {
      name: 'expiry-watch',
      description: 'Marks credentials past their expiry EXPIRED; reminds people of those inside their lead time',
      intervalMs: config.EXPIRY_SCAN_INTERVAL_MINUTES * MINUTE,
      leaseMs: 10 * MINUTE,
      run: async (services) => {
        const done = await scanExpiry(services);
        return `${done.expired} expired, ${done.expiring} expiring, ${done.reminded} reminder${done.reminded === 1 ? '' : 's'} raised`;
      },
    },
    // Mail and webhooks are two jobs, so endpoints that never answer cannot hold the mail back.
    ...(['EMAIL', 'WEBHOOK'] as const).map((channel) => ({
      name: channel === 'EMAIL' ? 'mail' : 'webhooks',
      description:
        channel === 'EMAIL'
          ? 'Sends queued mail; retries failures with backoff for about a day'
          : `Calls webhook endpoints, one call at a time per endpoint (${WEBHOOK_TIMEOUT_MS / SECOND} s each at most); retries failures with backoff for about a day`,
      intervalMs: config.NOTIFICATION_DELIVERY_INTERVAL_SECONDS * SECOND,
      leaseMs: 5 * MINUTE,
      run: async (services: Services) => {
        const done = await deliverNotifications(services, deps, { channel });
        return `${done.delivered} delivered, ${done.retrying} to retry, ${done.failed} failed${done.postponed ? `, ${done.postponed} left for the next run` : ''}`;
      },
    })),
    {
      name: 'daily-digest',
      description: 'Queues the daily digest for everyone who turned it on',
      intervalMs: 24 * 60 * MINUTE,
      leaseMs: 10 * MINUTE,
      run: async (services) => `${await sendDailyDigests(services)} digests queued`,
    },
    {
      name: 'housekeeping',
      description: 'Purges credentials past their recovery window; removes expired step-up grants, passkey challenges, rate-limit counters, old links and sessions',
      intervalMs: config.HOUSEKEEPING_INTERVAL_MINUTES * MINUTE,
      leaseMs: 30 * MINUTE,
      run: housekeeping,
    },
    {
      name: KEY_ROTATION_JOB,
      description: 'Rewraps data keys under the current key-encryption key in batches, while a rotation started from Admin → Keys runs',
      intervalMs: 30 * SECOND,
      leaseMs: 30 * MINUTE,
      run: runKeyRotation,
    },
    ...(config.BACKUP_DIR && config.BACKUP_RECIPIENT && deps.database
      ? [
          {
            name: BACKUP_JOB,
            description: `Writes an encrypted backup into ${config.BACKUP_DIR} and keeps the newest ${config.BACKUP_KEEP ?? 7}`,
            intervalMs: (config.BACKUP_INTERVAL_HOURS ?? 24) * 60 * MINUTE,
            leaseMs: 60 * MINUTE,
            run: async () => backupJob(await deps.database!(), { dir: config.BACKUP_DIR!, recipient: config.BACKUP_RECIPIENT!, keep: config.BACKUP_KEEP ?? 7 }),
          },
        ]
      : []),
    {
      name: 'audit-checkpoint',
      description: 'Signs the head of every audit chain, so events removed from its end are detected',
      intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MINUTES * MINUTE,
      leaseMs: 10 * MINUTE,
      run: async (services) => {
        await signAllChains(services);
        return 'chains signed';
      },
    },
  ];
}
