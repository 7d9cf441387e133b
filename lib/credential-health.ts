import { z } from 'zod';

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

/** Lead time before `expiresAt` from which a credential counts as expiring (renewals take weeks). */
export const EXPIRY_WARNING_DAYS = 30;

interface HealthInput {
  status: 'DRAFT' | 'ACTIVE' | 'REFRESHING' | 'EXPIRED' | 'NEEDS_ATTENTION' | 'REVOKED';
  expiresAt: Date | null;
  lastTest: { outcome: 'SUCCESS' | 'FAILURE' } | null;
}

/** Derives the badge from lifecycle status, expiry and the last connection test. */
export function credentialHealth({ status, expiresAt, lastTest }: HealthInput, now = new Date()): TCredentialHealth {
  if (status === 'REVOKED') return 'REVOKED';
  if (status === 'DRAFT') return 'NOT_CONFIGURED';
  // Expiry says what to do (renew), so it wins over the failures it causes.
  if (status === 'EXPIRED' || (expiresAt && expiresAt.getTime() <= now.getTime())) return 'EXPIRED';
  if (status === 'NEEDS_ATTENTION' || lastTest?.outcome === 'FAILURE') return 'FAILING';
  if (expiresAt && expiresAt.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000) return 'EXPIRING';
  if (!lastTest) return 'NEVER_TESTED';
  return 'VALID';
}
