import 'server-only';
import { nowMs } from '@/lib/server/clock';
import { keysUsable } from '@/lib/server/crypto/key-health';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { checkHealth, type HealthReport } from '@/lib/server/db/check-health';
import type { Database } from '@/lib/server/db/open-database';
import { schedulerTicking } from '@/lib/server/jobs/scheduler';
import { readinessProbes } from '@/lib/server/metrics/metrics';

export interface Readiness {
  ready: boolean;
  /** What is not ready, by name: database, migrations, keys, scheduler. Empty when ready. */
  notReady: string[];
  db: HealthReport['db'];
  migrations: HealthReport['migrations'];
  keys: 'usable' | 'unavailable';
  scheduler: 'ticking' | 'stopped';
}

/** Whether this instance can do its work: the database answers with every migration, the current key can be used, the scheduler ticks. */
export async function probeReadiness({ db, keyring, ticking = schedulerTicking().ticking }: { db: () => Promise<Pick<Database, 'sql'>>; keyring: () => Keyring; ticking?: boolean }): Promise<Readiness> {
  const [health, keys] = await Promise.all([
    db()
      .then(checkHealth)
      .catch((): HealthReport => ({ status: 'unavailable', db: 'down', migrations: 'unknown' })),
    Promise.resolve()
      .then(() => keysUsable(keyring()))
      .catch(() => ({ usable: false })),
  ]);
  const notReady = [
    ...(health.db === 'down' ? ['database'] : []),
    ...(health.db === 'up' && health.migrations !== 'current' ? ['migrations'] : []),
    ...(keys.usable ? [] : ['keys']),
    ...(ticking ? [] : ['scheduler']),
  ];
  return { ready: notReady.length === 0, notReady, db: health.db, migrations: health.migrations, keys: keys.usable ? 'usable' : 'unavailable', scheduler: ticking ? 'ticking' : 'stopped' };
}

/** A readiness answer is reused this long: load balancers probe often, and under load the probe must cost nothing. */
export const READINESS_TTL_MS = 1_000;
let last: { at: number; answer: Promise<Readiness> } | null = null;

/** probeReadiness, asked at most once per READINESS_TTL_MS however many probes arrive (they share the answer). */
export function readiness(probe: () => Promise<Readiness>): Promise<Readiness> {
  if (last && nowMs() - last.at < READINESS_TTL_MS) return last.answer;
  readinessProbes.inc();
  last = { at: nowMs(), answer: probe() };
  return last.answer;
}
