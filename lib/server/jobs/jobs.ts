import 'server-only';
import { signAllChains } from '@/lib/server/audit/write-audit-checkpoint';
import type { Env } from '@/lib/server/env';
import { housekeeping } from '@/lib/server/jobs/housekeeping';
import type { Job } from '@/lib/server/jobs/scheduler';

const MINUTE = 60_000;

/** Every periodic job of the server, with the intervals the environment sets. */
export function serverJobs(config: Pick<Env, 'HOUSEKEEPING_INTERVAL_MINUTES' | 'AUDIT_CHECKPOINT_INTERVAL_MINUTES'>): Job[] {
  return [
    {
      name: 'housekeeping',
      description: 'Purges credentials past their recovery window; removes expired step-up grants, rate-limit counters, old links and sessions',
      intervalMs: config.HOUSEKEEPING_INTERVAL_MINUTES * MINUTE,
      leaseMs: 30 * MINUTE,
      run: housekeeping,
    },
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
