import { countOf } from '@/lib/format';
import { z } from 'zod';
import { CREDENTIAL_PROFILES, isCredentialProfile, type TCredentialProfile } from '@/lib/schemas/credential-profiles';

// When a credential counts as expiring, and when people are reminded of it. Shared by the expiry
// watch (lib/server/credentials/scan-expiry.ts), the pages and the settings form.

const DAY_MS = 86_400_000;

/** Renewing a certificate or a secret takes weeks (a ZATCA CSID, a Peppol access-point certificate): 30 days by default. */
export const DEFAULT_LEAD_DAYS = 30;
export const MAX_LEAD_DAYS = 365;
/** In the last week before expiry, reminders are daily; before that, weekly. */
const DAILY_FROM_DAYS = 7;

export const ZLeadDays = z.coerce
  .number({ error: 'Enter a number of days' })
  .int('Whole days only')
  .min(1, 'At least 1 day: a credential must be flagged before it expires')
  .max(MAX_LEAD_DAYS, `At most ${MAX_LEAD_DAYS} days`);

/** An organization's lead times by profile id; profiles not listed use the default. */
export const ZExpiryLeadDays = z.partialRecord(z.enum(Object.keys(CREDENTIAL_PROFILES) as [TCredentialProfile, ...TCredentialProfile[]]), ZLeadDays);
export type TExpiryLeadDays = z.infer<typeof ZExpiryLeadDays>;

/** A profile's lead time unless the organization chose one: what renewal takes in its regime, else 30 days. */
export const defaultLeadDays = (profile: TCredentialProfile): number => (CREDENTIAL_PROFILES[profile] as { leadDays?: number }).leadDays ?? DEFAULT_LEAD_DAYS;

/** Every profile's default lead time, by profile id (for queries that judge many credentials at once). */
export const DEFAULT_LEAD_DAYS_BY_PROFILE: Record<TCredentialProfile, number> = Object.fromEntries(
  (Object.keys(CREDENTIAL_PROFILES) as TCredentialProfile[]).map((profile) => [profile, defaultLeadDays(profile)]),
) as Record<TCredentialProfile, number>;

/** Reads the stored setting leniently: anything unreadable falls back to the default. */
export function leadDaysFor(profile: string, setting: unknown): number {
  const parsed = ZExpiryLeadDays.safeParse(setting);
  if (!isCredentialProfile(profile)) return DEFAULT_LEAD_DAYS;
  return (parsed.success ? parsed.data[profile] : undefined) ?? defaultLeadDays(profile);
}

/** Days left until `expiresAt`, counting a started day as one ("in 10 days" until 9 days and a bit are left); 0 or less once past. */
export const daysLeft = (expiresAt: Date, now: number) => Math.ceil((expiresAt.getTime() - now) / DAY_MS);

/**
 * Whether an expiring credential's reminder is due now: the first at the lead time, then weekly,
 * then daily in the last week. `lastSentAt` is the previous reminder for this same expiry date.
 */
export function expiringReminderDue({ expiresAt, lastSentAt, now }: { expiresAt: Date; lastSentAt: Date | null; now: number }): boolean {
  if (!lastSentAt) return true;
  const gap = daysLeft(expiresAt, now) <= DAILY_FROM_DAYS ? DAY_MS : 7 * DAY_MS;
  // A little slack, so a scan that runs a few minutes earlier than yesterday's still sends.
  return now - lastSentAt.getTime() >= gap - 60 * 60_000;
}

/** Whole days as people say them: "1 day", "12 days". */
export const dayCount = (days: number) => countOf(days, 'day');

/**
 * "in 12 days" (counted as `daysLeft` counts, so the page says what the mail said), "within a day",
 * "today", "3 days ago".
 */
export function relativeDays(date: Date, now: number): string {
  if (date.getTime() > now) {
    const days = daysLeft(date, now);
    return days === 1 ? 'within a day' : `in ${dayCount(days)}`;
  }
  const ago = Math.floor((now - date.getTime()) / DAY_MS);
  return ago === 0 ? 'today' : `${dayCount(ago)} ago`;
}
