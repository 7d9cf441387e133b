import 'server-only';
import { DEFAULT_LEAD_DAYS, DEFAULT_LEAD_DAYS_BY_PROFILE } from '@/lib/expiry';
import { Prisma } from '@/prisma/generated/client';

/**
 * A credential's lead time in SQL, as `leadDaysFor` reads it: the organization's number for the
 * profile, else the profile's default, else 30 days. Needs `c` (Credential) and `o` (Organization).
 */
export const leadDaysSql = Prisma.sql`COALESCE(CASE WHEN jsonb_typeof(o."expiryLeadDays" -> c.profile) = 'number' THEN (o."expiryLeadDays" ->> c.profile)::int END,
  (${JSON.stringify(DEFAULT_LEAD_DAYS_BY_PROFILE)}::jsonb ->> c.profile)::int, ${DEFAULT_LEAD_DAYS})`;

/**
 * `credentialHealth` (lib/credential-health.ts) as a SQL expression over `c` (Credential, with the
 * newest test's outcome kept on its row) and `o` (Organization), for queries that judge many
 * credentials at once: the dashboard's health filter and its attention counts. A test holds it to
 * the function's answer for every combination.
 */
export const healthSql = (now: Date) => Prisma.sql`CASE
  WHEN c.status = 'REVOKED' THEN 'REVOKED'
  WHEN c.status = 'DRAFT' THEN 'NOT_CONFIGURED'
  WHEN c.status = 'EXPIRED' OR c."expiresAt" <= ${now} THEN 'EXPIRED'
  WHEN c.status = 'NEEDS_ATTENTION' OR c."lastTestOutcome" = 'FAILURE' THEN 'FAILING'
  WHEN c."expiresAt" - ${now}::timestamp <= make_interval(days => ${leadDaysSql}) THEN 'EXPIRING'
  WHEN c."lastTestOutcome" IS NULL THEN 'NEVER_TESTED'
  ELSE 'VALID' END`;
