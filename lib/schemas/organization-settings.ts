import { z } from 'zod';
import { ZExpiryLeadDays } from '@/lib/expiry';
import { TIME_ZONES } from '@/lib/format';

/** What an administrator sets for the whole organization. */
export const ZOrganizationSettings = z.object({
  timeZone: z.string().refine((zone) => TIME_ZONES.includes(zone), 'Choose a time zone from the list'),
  expiryLeadDays: ZExpiryLeadDays,
});
export type TOrganizationSettings = z.input<typeof ZOrganizationSettings>;

/** A credential's schedule and owner: who is told about it besides the administrators, and how often it is tested. */
export const ZCredentialWatch = z.object({
  credentialId: z.uuid('Unknown credential'),
  ownerId: z.union([z.uuid('Choose a person from the list'), z.literal('')]).transform((value) => value || null),
  testEveryHours: z.union([z.literal(''), z.coerce.number().int('Whole hours only').min(1, 'At least every hour').max(24 * 30, 'At most every 30 days')]).transform((value) => (value === '' ? null : value)),
});
export type TCredentialWatch = z.input<typeof ZCredentialWatch>;

/** The intervals offered for scheduled tests (hours; empty: off). */
export const TEST_INTERVALS = [
  { value: '', label: 'Off' },
  { value: '1', label: 'Every hour' },
  { value: '6', label: 'Every 6 hours' },
  { value: '24', label: 'Daily' },
  { value: '168', label: 'Weekly' },
] as const;
