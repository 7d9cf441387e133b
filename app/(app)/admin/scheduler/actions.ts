'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ADMINS } from '@/lib/roles';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { BACKUP_JOB, processJobs } from '@/lib/server/jobs/jobs';
import { runJobNow } from '@/lib/server/jobs/scheduler';
import { services } from '@/lib/server/services';

/** Makes a backup now, through the scheduled job (not if one is running); audited. */
export async function backupNowAction(): Promise<ActionResult<{ ran: boolean }>> {
  const user = await requireRole(ADMINS, 'action:backup-now');
  const jobs = processJobs();
  if (!jobs.some((job) => job.name === BACKUP_JOB)) return { ok: false, formError: 'Scheduled backups are not set up (BACKUP_DIR and BACKUP_RECIPIENT).' };
  const v = await services();
  await recordAuditEvent(v.prisma, { actor: await requestActor(user), action: 'backup.requested', organizationId: user.organizationId, outcome: 'SUCCESS' });
  const ran = await runJobNow(v, jobs, BACKUP_JOB);
  revalidatePath('/admin/scheduler');
  return { ok: true, data: { ran } };
}
