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

/** The registry's text, for /api/metrics. */
export const metricsText = () => register.metrics();
export const metricsContentType = register.contentType;
