import { describe, expect, it } from 'vitest';
import { daysLeft, expiringReminderDue, leadDaysFor, relativeDays, ZExpiryLeadDays, ZLeadDays } from '@/lib/expiry';

const DAY = 86_400_000;
const NOW = Date.UTC(2027, 2, 1, 9, 30);

describe('expiry rules', () => {
  it('refuses lead times of 0, negative, fractional or absurd, with a message', () => {
    for (const [value, message] of [
      [0, 'At least 1 day: a credential must be flagged before it expires'],
      [-5, 'At least 1 day: a credential must be flagged before it expires'],
      [2.5, 'Whole days only'],
      [10_000, 'At most 365 days'],
      ['soon', 'Enter a number of days'],
    ] as const) {
      expect(ZLeadDays.safeParse(value).error?.issues[0]?.message).toBe(message);
    }
    expect(ZLeadDays.parse('45')).toBe(45);
    expect(ZExpiryLeadDays.safeParse({ 'zatca-csid': 0 }).success).toBe(false);
    expect(ZExpiryLeadDays.safeParse({ 'not-a-profile': 10 }).success).toBe(false);
  });

  it('uses the regime’s renewal time when the organization chose none: Peppol and SDI 45 days, KSeF tokens 60', () => {
    expect(leadDaysFor('peppol-ap-certificate', {})).toBe(45);
    expect(leadDaysFor('sdi-channel-certificate', null)).toBe(45);
    expect(leadDaysFor('ksef-token', {})).toBe(60);
    expect(leadDaysFor('peppol-ap-certificate', { 'peppol-ap-certificate': 20 })).toBe(20);
  });

  it('reads a profile’s lead time from the organization’s setting, else 30 days', () => {
    expect(leadDaysFor('zatca-csid', { 'zatca-csid': 60 })).toBe(60);
    expect(leadDaysFor('api-key', { 'zatca-csid': 60 })).toBe(30);
    expect(leadDaysFor('zatca-csid', 'garbage')).toBe(30);
  });

  it('reminds at the lead time, weekly, then daily in the last week', () => {
    const expiresAt = new Date(NOW + 20 * DAY);
    expect(daysLeft(expiresAt, NOW)).toBe(20);
    expect(expiringReminderDue({ expiresAt, lastSentAt: null, now: NOW })).toBe(true);
    expect(expiringReminderDue({ expiresAt, lastSentAt: new Date(NOW - 6 * DAY), now: NOW })).toBe(false);
    expect(expiringReminderDue({ expiresAt, lastSentAt: new Date(NOW - 7 * DAY), now: NOW })).toBe(true);
    const soon = new Date(NOW + 5 * DAY);
    expect(expiringReminderDue({ expiresAt: soon, lastSentAt: new Date(NOW - 20 * 3_600_000), now: NOW })).toBe(false);
    expect(expiringReminderDue({ expiresAt: soon, lastSentAt: new Date(NOW - DAY), now: NOW })).toBe(true);
  });

  it('says how far a date is in words', () => {
    expect(relativeDays(new Date(NOW + 12 * DAY), NOW)).toBe('in 12 days');
    // Counted like the reminder mail: 11 days and a bit are "in 12 days".
    expect(relativeDays(new Date(NOW + 11.4 * DAY), NOW)).toBe('in 12 days');
    expect(relativeDays(new Date(NOW + 5 * 3_600_000), NOW)).toBe('within a day');
    expect(relativeDays(new Date(NOW - 3 * DAY), NOW)).toBe('3 days ago');
    expect(relativeDays(new Date(NOW - DAY), NOW)).toBe('1 day ago');
    expect(relativeDays(new Date(NOW - 3_600_000), NOW)).toBe('today');
  });
});
