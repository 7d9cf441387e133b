import 'server-only';
import { daysLeft, DEFAULT_LEAD_DAYS, DEFAULT_LEAD_DAYS_BY_PROFILE, expiringReminderDue, leadDaysFor, ZExpiryLeadDays } from '@/lib/expiry';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { nowMs } from '@/lib/server/clock';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { credentialNotices } from '@/lib/server/notifications/credential-notice';
import { dayKey, raiseNotifications, type NotificationInput } from '@/lib/server/notifications/raise-notifications';
import type { Services } from '@/lib/server/services';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';

const DAY_MS = 86_400_000;
const LIVE = ['ACTIVE', 'REFRESHING', 'NEEDS_ATTENTION'] as const;

/**
 * The expiry watch. A live credential past its `expiresAt` becomes EXPIRED (the service API stops
 * serving it) and its people are told once. One inside its lead time (the organization's, per
 * profile) is expiring: they are reminded at the lead time, weekly, then daily in the last week,
 * never twice a day. A credential without a known expiry is left alone.
 */
export async function scanExpiry(services: Services): Promise<{ expired: number; reminded: number; expiring: number }> {
  const { prisma } = services;
  const now = nowMs();

  const due = await prisma.credential.findMany({
    where: { deletedAt: null, status: { in: [...LIVE] }, expiresAt: { lte: new Date(now) } },
    select: { id: true, organizationId: true, expiresAt: true },
  });
  let expired = 0;
  for (const credential of due) {
    const moved = await prisma.$transaction(async (tx) => {
      const result = await changeCredentialStatus(tx, {
        credential,
        to: 'EXPIRED',
        onlyFrom: LIVE,
        event: { actor: SYSTEM_ACTOR, action: 'credential.expire', outcome: 'SUCCESS', details: { expiresAt: credential.expiresAt!.toISOString() } },
      });
      if (!result.changed) return false;
      const data = (await credentialNotices(tx, [credential.id])).get(credential.id)!;
      await raiseNotifications(tx, [{ organizationId: credential.organizationId, credentialId: credential.id, event: 'credential.expired', dedupeKey: `credential.expired:${credential.id}:${credential.expiresAt!.toISOString()}`, data }]);
      return true;
    });
    if (moved) {
      forgetAccessToken(credential.id);
      expired += 1;
    }
  }

  // Expiring: read only what can be inside the longest lead time any organization chose.
  const organizations = await prisma.organization.findMany({ select: { id: true, expiryLeadDays: true } });
  const settings = new Map(organizations.map((o) => [o.id, o.expiryLeadDays]));
  const longest = Math.max(DEFAULT_LEAD_DAYS, ...Object.values(DEFAULT_LEAD_DAYS_BY_PROFILE), ...organizations.flatMap((o) => Object.values(ZExpiryLeadDays.catch({}).parse(o.expiryLeadDays))));
  const candidates = await prisma.$queryRaw<{ id: string; organizationId: string; profile: string; expiresAt: Date; lastSentAt: Date | null }[]>`
    SELECT c.id::text, c."organizationId"::text, c.profile, c."expiresAt",
           (SELECT max(n."occurredAt") FROM "Notification" n WHERE n."credentialId" = c.id AND n.event = 'credential.expiring') AS "lastSentAt"
      FROM "Credential" c JOIN "LegalEntity" le ON le.id = c."legalEntityId"
     WHERE c."deletedAt" IS NULL AND le."archivedAt" IS NULL AND c.status IN ('ACTIVE', 'REFRESHING', 'NEEDS_ATTENTION')
       AND c."expiresAt" > ${new Date(now)} AND c."expiresAt" <= ${new Date(now + longest * DAY_MS)}`;
  const reminders: { id: string; organizationId: string; expiresAt: Date }[] = [];
  let expiring = 0;
  for (const row of candidates) {
    const lead = leadDaysFor(row.profile, settings.get(row.organizationId));
    const windowOpened = row.expiresAt.getTime() - lead * DAY_MS;
    if (now < windowOpened) continue;
    expiring += 1;
    // A reminder from before this window opened was about an earlier expiry date.
    const lastSentAt = row.lastSentAt && row.lastSentAt.getTime() >= windowOpened - DAY_MS ? row.lastSentAt : null;
    if (expiringReminderDue({ expiresAt: row.expiresAt, lastSentAt, now })) reminders.push(row);
  }
  let reminded = 0;
  const today = dayKey(new Date(now));
  for (let start = 0; start < reminders.length; start += 500) {
    const batch = reminders.slice(start, start + 500);
    reminded += await prisma.$transaction(async (tx) => {
      const notices = await credentialNotices(tx, batch.map((r) => r.id));
      const inputs: NotificationInput[] = batch.map((r) => ({
        organizationId: r.organizationId,
        credentialId: r.id,
        event: 'credential.expiring',
        dedupeKey: `credential.expiring:${r.id}:${today}`,
        data: { ...notices.get(r.id), daysLeft: daysLeft(r.expiresAt, now) },
      }));
      return raiseNotifications(tx, inputs);
    });
  }
  return { expired, reminded, expiring };
}
