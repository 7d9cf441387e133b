import { z } from 'zod';
import { DEFAULT_LEAD_DAYS } from '@/lib/expiry';

/** What a person needs to know about a credential at a glance. */
export const CREDENTIAL_HEALTH = {
  NOT_CONFIGURED: 'Not configured',
  EXPIRED: 'Expired',
  FAILING: 'Failing',
  EXPIRING: 'Expiring',
  NEVER_TESTED: 'Never tested',
  VALID: 'Valid',
  REVOKED: 'Revoked',
} as const;

export type TCredentialHealth = keyof typeof CREDENTIAL_HEALTH;

export const ZCredentialHealth = z.enum(Object.keys(CREDENTIAL_HEALTH) as [TCredentialHealth, ...TCredentialHealth[]]);

interface HealthInput {
  status: 'DRAFT' | 'ACTIVE' | 'REFRESHING' | 'EXPIRED' | 'NEEDS_ATTENTION' | 'REVOKED';
  expiresAt: Date | null;
  lastTest: { outcome: 'SUCCESS' | 'FAILURE' } | null;
  /** Days before `expiresAt` from which it counts as expiring: the organization's lead time for its profile (lib/expiry.ts). */
  leadDays?: number;
}

/** Derives the badge from lifecycle status, expiry and the last connection test. */
export function credentialHealth({ status, expiresAt, lastTest, leadDays = DEFAULT_LEAD_DAYS }: HealthInput, now = new Date()): TCredentialHealth {
  if (status === 'REVOKED') return 'REVOKED';
  if (status === 'DRAFT') return 'NOT_CONFIGURED';
  // Expiry says what to do (renew), so it wins over the failures it causes.
  if (status === 'EXPIRED' || (expiresAt && expiresAt.getTime() <= now.getTime())) return 'EXPIRED';
  if (status === 'NEEDS_ATTENTION' || lastTest?.outcome === 'FAILURE') return 'FAILING';
  if (expiresAt && expiresAt.getTime() - now.getTime() <= leadDays * 86_400_000) return 'EXPIRING';
  if (!lastTest) return 'NEVER_TESTED';
  return 'VALID';
}
