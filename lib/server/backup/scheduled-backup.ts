import 'server-only';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBackup } from '@/lib/server/backup/backup-file';
import { nowMs } from '@/lib/server/clock';
import type { Database } from '@/lib/server/db/open-database';
import { dayKey, raiseNotifications } from '@/lib/server/notifications/raise-notifications';

const NAME = /^strongroom-\d{8}T\d{9}Z\.age$/;

/**
 * The scheduled backup: a new file in `dir` named by its time, then only the newest `keep` are kept.
 * Leftovers of a backup killed half-way (".partial-" files, never complete) are removed first.
 */
export async function scheduledBackup(db: Database, { dir, recipient, keep }: { dir: string; recipient: string; keep: number }): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir)) if (name.includes('.age.partial-')) await rm(join(dir, name), { force: true });
  const stamp = new Date(nowMs()).toISOString().replace(/[-:.]/g, '');
  const name = `strongroom-${stamp}.age`;
  const manifest = await writeBackup(db, { out: join(dir, name), recipient });
  const backups = (await readdir(dir)).filter((file) => NAME.test(file)).sort();
  const old = backups.slice(0, Math.max(0, backups.length - keep));
  for (const file of old) await rm(join(dir, file), { force: true });
  const rows = Object.values(manifest.tables).reduce((sum, count) => sum + count, 0);
  return `${name}: ${rows} rows; ${backups.length - old.length} kept${old.length ? `, ${old.length} older removed` : ''}`;
}

/**
 * The backup job: a scheduled backup, and when it fails, a `backup.failed` notification to every
 * organization (a backup is the installation's; each organization's administrators and webhooks hear of
 * it, once a day), then the failure is the job's, shown on Admin → Scheduler.
 */
export async function backupJob(db: Database, settings: { dir: string; recipient: string; keep: number }): Promise<string> {
  try {
    return await scheduledBackup(db, settings);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
    const day = dayKey(new Date(nowMs()));
    await db.prisma.$transaction(async (tx) => {
      const organizations = await tx.organization.findMany({ select: { id: true } });
      await raiseNotifications(
        tx,
        organizations.map((organization) => ({ organizationId: organization.id, event: 'backup.failed' as const, dedupeKey: `backup.failed:${organization.id}:${day}`, data: { backupDir: settings.dir, error: message } })),
      );
    });
    throw error;
  }
}
