import type { Metadata } from 'next';
import { formatDateTime } from '@/lib/format';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { BackupNowButton } from '@/components/backup-now-button';
import { BACKUP_JOB, processJobs } from '@/lib/server/jobs/jobs';
import { listJobs } from '@/lib/server/jobs/scheduler';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Scheduler' };

const when = (date: Date | null) => (date ? `${formatDateTime(date)} UTC` : '—');

/** The periodic jobs every server process runs (one process per tick): last run, next run, errors. */
export default async function SchedulerPage() {
  await requireRole(ADMINS, 'page:/admin/scheduler');
  const jobs = await listJobs(await services(), processJobs());
  return (
    <>
      <h1>Scheduler</h1>
      <section className="panel">
        <table>
          <caption className="muted caption-start">Periodic jobs (intervals set by the environment; see .env.example)</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Every</th>
              <th scope="col">Last run</th>
              <th scope="col">Took</th>
              <th scope="col">Outcome</th>
              <th scope="col">Next run</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.name}>
                <td>
                  <strong>{job.name}</strong>
                  <br />
                  <span className="muted">{job.description}</span>
                  {job.name === BACKUP_JOB && (
                    <>
                      <br />
                      <BackupNowButton />
                    </>
                  )}
                </td>
                <td>{job.intervalMs % 3_600_000 === 0 ? `${job.intervalMs / 3_600_000} h` : job.intervalMs % 60_000 === 0 ? `${job.intervalMs / 60_000} min` : `${job.intervalMs / 1000} s`}</td>
                <td>{job.running ? 'Running now' : when(job.lastStartedAt)}</td>
                <td>{job.lastDurationMs === null ? '—' : `${job.lastDurationMs} ms`}</td>
                <td className={job.lastError ? 'field-error' : undefined}>{job.lastError ? `Failed: ${job.lastError}` : (job.lastResult ?? 'Not run yet')}</td>
                <td>{when(job.nextRunAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
