import 'server-only';
import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { nowMs } from '@/lib/server/clock';
import { logger } from '@/lib/server/logger';
import { jobDuration, jobFailures, jobInterval, jobLastSuccess } from '@/lib/server/metrics/metrics';
import type { Services } from '@/lib/server/services';

/** A periodic job: what it is, how often it is due, and its work (returns a few words on what it did). */
export interface Job {
  name: string;
  description: string;
  intervalMs: number;
  /** How long a run may take before another process assumes it crashed and runs it again. */
  leaseMs: number;
  run: (services: Services) => Promise<string>;
}

/** This process, as the owner of the runs it claims. */
const PROCESS_ID = randomUUID();

/**
 * Claims `job` if it is due and nobody holds it: one conditional UPDATE, so of several processes at
 * the same tick exactly one gets it. A job seen for the first time is due at once.
 */
async function claim({ prisma }: Pick<Services, 'prisma'>, job: Job, owner: string, at: number): Promise<boolean> {
  const now = new Date(at);
  await prisma.$executeRaw`INSERT INTO "ScheduledJob" ("name", "nextRunAt") VALUES (${job.name}, ${now}) ON CONFLICT ("name") DO NOTHING`;
  const claimed = await prisma.$executeRaw`
    UPDATE "ScheduledJob" SET "leaseOwner" = ${owner}, "leaseUntil" = ${new Date(at + job.leaseMs)}, "lastStartedAt" = ${now}
     WHERE "name" = ${job.name} AND "nextRunAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})`;
  return claimed === 1;
}

/**
 * Runs `job` if it is due and this process can claim it, as the SYSTEM actor, and records how it went
 * (on the job's row and in the audit trail); the next run is due an interval after this one started.
 * A failure is recorded (and logged). Returns whether it ran.
 */
async function runJob(services: Services, job: Job, owner: string): Promise<boolean> {
  const startedAt = nowMs();
  if (!(await claim(services, job, owner, startedAt))) return false;
  let result: string | null = null;
  let error: string | null = null;
  try {
    result = await job.run(services);
  } catch (failure) {
    error = (failure instanceof Error ? failure.message : String(failure)).slice(0, 500);
    logger().error({ event: 'job.failed', job: job.name, err: error }, 'scheduled job failed');
  }
  const finishedAt = nowMs();
  jobDuration.observe({ job: job.name }, (finishedAt - startedAt) / 1000);
  if (error) jobFailures.inc({ job: job.name });
  else jobLastSuccess.set({ job: job.name }, finishedAt / 1000);
  await services.prisma.scheduledJob.updateMany({
    where: { name: job.name, leaseOwner: owner },
    data: {
      leaseOwner: null,
      leaseUntil: null,
      lastFinishedAt: new Date(finishedAt),
      lastDurationMs: Math.round(finishedAt - startedAt),
      lastError: error,
      lastResult: result,
      nextRunAt: new Date(startedAt + job.intervalMs),
    },
  });
  await recordAuditEvent(services.prisma, {
    actor: SYSTEM_ACTOR,
    action: 'job.run',
    target: { type: 'ScheduledJob', id: job.name },
    outcome: error ? 'FAILURE' : 'SUCCESS',
    details: { durationMs: Math.round(finishedAt - startedAt), ...(result ? { result } : {}), ...(error ? { error } : {}) },
  });
  return true;
}

/**
 * One tick: runs every due job this process can claim, each in its own lane (at the same time), so
 * a long run of one job never holds the others; resolves when they have all finished, with the
 * names of those that ran.
 */
export async function runDueJobs(services: Services, jobs: readonly Job[], { owner = PROCESS_ID }: { owner?: string } = {}): Promise<string[]> {
  const ran = await Promise.all(jobs.map((job) => runJob(services, job, owner)));
  return jobs.filter((_, index) => ran[index]).map((job) => job.name);
}

/**
 * Makes the job named `name` due now and runs it if this process can claim it (not if it is running
 * anywhere): for work a person just asked for, without waiting for the next tick.
 */
export async function runJobNow(services: Services, jobs: readonly Job[], name: string): Promise<boolean> {
  const job = jobs.find((candidate) => candidate.name === name);
  if (!job) throw new Error(`no job named ${name}`);
  await services.prisma.scheduledJob.upsert({ where: { name }, create: { name, nextRunAt: new Date(nowMs()) }, update: { nextRunAt: new Date(nowMs()) } });
  return runJob(services, job, PROCESS_ID);
}

// The scheduler's pulse, on globalThis: it is started from the instrumentation bundle and read by the
// readiness route's, and Next.js gives each bundle its own copy of this module.
const pulse = ((globalThis as { strongroomSchedulerPulse?: { last: number | null; every: number | null } }).strongroomSchedulerPulse ??= { last: null, every: null });

/** Whether this process's scheduler ticks: started, and its last tick not more than two intervals ago. */
export function schedulerTicking(): { ticking: boolean; lastTickAt: Date | null } {
  const ticking = pulse.last !== null && pulse.every !== null && nowMs() - pulse.last <= 2 * pulse.every;
  return { ticking, lastTickAt: pulse.last === null ? null : new Date(pulse.last) };
}

/**
 * Ticks every `tickMs` in the background. Each job has its own lane: a tick starts every due job
 * that is not already running in this process, and does not wait for any of them.
 */
export function startScheduler(services: Services, jobs: readonly Job[], { tickMs }: { tickMs: number }): () => void {
  const running = new Set<string>();
  const tick = () => {
    pulse.last = nowMs();
    for (const job of jobs) {
      if (running.has(job.name)) continue;
      running.add(job.name);
      runJob(services, job, PROCESS_ID)
        .catch((error: unknown) => logger().error({ event: 'scheduler.tick_failed', job: job.name, err: error instanceof Error ? error.message : String(error) }, 'scheduler tick failed'))
        .finally(() => running.delete(job.name));
    }
  };
  pulse.every = tickMs;
  for (const job of jobs) jobInterval.set({ job: job.name }, job.intervalMs / 1000);
  tick();
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    pulse.last = pulse.every = null;
  };
}

/** The jobs with their schedule and last run, for the administrators' panel. */
export async function listJobs({ prisma }: Pick<Services, 'prisma'>, jobs: readonly Job[]) {
  const rows = new Map((await prisma.scheduledJob.findMany()).map((row) => [row.name, row]));
  return jobs.map((job) => {
    const row = rows.get(job.name);
    return {
      name: job.name,
      description: job.description,
      intervalMs: job.intervalMs,
      running: Boolean(row?.leaseUntil && row.leaseUntil.getTime() > nowMs()),
      nextRunAt: row?.nextRunAt ?? null,
      lastStartedAt: row?.lastStartedAt ?? null,
      lastFinishedAt: row?.lastFinishedAt ?? null,
      lastDurationMs: row?.lastDurationMs ?? null,
      lastError: row?.lastError ?? null,
      lastResult: row?.lastResult ?? null,
    };
  });
}
