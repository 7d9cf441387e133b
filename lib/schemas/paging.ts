import { z } from 'zod';

const INT8_MAX = 9_223_372_036_854_775_807n;

/** `?page=` of a paged list: absent means 1; anything but a whole number from 1 to 999,999 is refused. */
export const ZPageNumber = z
  .string()
  .regex(/^[1-9]\d{0,5}$/, 'A page number from 1')
  .transform(Number)
  .optional()
  .transform((page) => page ?? 1);

/** `?before=` of the audit log: an event sequence number (PostgreSQL int8), or absent for the newest. */
export const ZAuditCursor = z
  .string()
  .regex(/^\d{1,19}$/, 'An event number')
  .transform((value) => BigInt(value))
  .refine((seq) => seq <= INT8_MAX, 'An event number')
  .optional();
