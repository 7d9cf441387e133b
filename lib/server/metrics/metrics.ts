import 'server-only';
import { Counter, Gauge, Histogram, register } from 'prom-client';

// The process's metrics, in prom-client's default registry. prom-client is not bundled
// (next.config.mjs), so every bundle Next.js builds and scripts/serve.mjs share this one registry;
// a metric defined twice (two bundles evaluating this file) is the first one. Labels are bounded
// sets (outcomes, job names, regimes): never an id, an address or anything a user typed.

const existing = <T>(name: string, make: () => T): T => (register.getSingleMetric(name) as T | undefined) ?? make();
export const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => existing(name, () => new Counter<L>({ name, help, labelNames }));
export const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => existing(name, () => new Gauge<L>({ name, help, labelNames }));
export const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
  existing(name, () => new Histogram<L>({ name, help, labelNames, buckets }));

/** Access tokens served, by where they came from: memory, database, fetched; or why not: failed_transient, failed_permanent. */
export const tokenRequests = counter('strongroom_token_requests_total', 'Access-token requests by outcome', ['outcome']);
/** Calls to token endpoints, by outcome (success, transient, permanent), and how long they took. */
export const providerCalls = histogram('strongroom_token_provider_seconds', 'Token endpoint calls by outcome', ['outcome'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
/** Callers that waited for another instance's lease on a token. */
export const leaseWaits = counter('strongroom_token_lease_waits_total', 'Waits for another instance fetching the same token');

/** Scheduled jobs: the last successful run (Unix seconds), each run's duration, failures. */
export const jobLastSuccess = gauge('strongroom_job_last_success_timestamp_seconds', 'When each job last finished without error', ['job']);
export const jobDuration = histogram('strongroom_job_duration_seconds', 'Job run durations', ['job'], [0.1, 0.5, 1, 5, 15, 60, 300]);
export const jobInterval = gauge('strongroom_job_interval_seconds', 'How often each job is due', ['job']);
export const jobFailures = counter('strongroom_job_failures_total', 'Job runs that failed', ['job']);

/** Connection tests by outcome (SUCCESS, FAILURE). */
export const connectionTests = counter('strongroom_connection_tests_total', 'Connection tests run by this process, by outcome', ['outcome']);

/** Notification deliveries tried, by channel and result: delivered, retry (tried again later), failed (given up). */
export const deliveryAttempts = counter('strongroom_notification_delivery_attempts_total', 'Notification delivery attempts by channel and result (delivered, retry, failed)', ['channel', 'result']);

/** Readiness probes that reached the database (the rest were answered from the cached probe). */
export const readinessProbes = counter('strongroom_readiness_probes_total', 'Readiness checks that probed the database, keys and scheduler (not answered from the cached probe)');

/**
 * How long the database was held for one piece of work: on PostgreSQL each use of a pooled connection
 * (one statement, or one transaction from BEGIN to COMMIT); on the embedded database each transaction.
 */
export const databaseHeld = histogram('strongroom_database_held_seconds', 'Time one statement or transaction held a database connection', ['database'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);

/** A PostgreSQL pool as pg counts it. */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}
// The pools of this process (one per open database; on globalThis, as the registry is one per process).
const pools: Set<PoolCounts> = ((globalThis as { strongroomPools?: Set<PoolCounts> }).strongroomPools ??= new Set());
existing('strongroom_database_pool_connections', () =>
  new Gauge({
    name: 'strongroom_database_pool_connections',
    help: 'PostgreSQL pool: connections in use (busy) and idle, and callers waiting for one',
    labelNames: ['state'],
    collect() {
      let busy = 0, idle = 0, waiting = 0;
      for (const pool of pools) {
        busy += pool.totalCount - pool.idleCount;
        idle += pool.idleCount;
        waiting += pool.waitingCount;
      }
      if (pools.size === 0) return void this.reset();
      this.set({ state: 'busy' }, busy);
      this.set({ state: 'idle' }, idle);
      this.set({ state: 'waiting' }, waiting);
    },
  }),
);
/** Counts `pool` in the pool gauge until the returned function is called (the database closed). */
export function watchPool(pool: PoolCounts): () => void {
  pools.add(pool);
  return () => void pools.delete(pool);
}

/** The registry's text, for /api/metrics. */
export const metricsText = () => register.metrics();
export const metricsContentType = register.contentType;
