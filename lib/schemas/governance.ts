import { z } from 'zod';

/** Secrets for a credential's pending version (staged rotation): the fields to replace, and the secret's end date if the profile has one. */
export const ZStageSecrets = z.object({
  credentialId: z.uuid('Unknown credential'),
  version: z.number().int().positive(),
  values: z.record(z.string(), z.string().max(200_000, 'Too large')),
});
export type TStageSecrets = z.input<typeof ZStageSecrets>;

export const ZChangeRequestRef = z.object({ requestId: z.uuid('Unknown change request') });
export type TChangeRequestRef = z.input<typeof ZChangeRequestRef>;

export const ZRejectChangeRequest = ZChangeRequestRef.extend({
  reason: z.string().trim().min(3, 'Say why, in a few words').max(500, 'At most 500 characters'),
});
export type TRejectChangeRequest = z.input<typeof ZRejectChangeRequest>;

/** The four-eyes policy of an organization. */
export const ZApprovalPolicy = z.object({
  requireApproval: z.boolean(),
  approvalHours: z.coerce.number().int('Whole hours only').min(1, 'At least 1 hour').max(24 * 30, 'At most 30 days'),
  rollbackDays: z.coerce.number().int('Whole days only').min(1, 'At least 1 day').max(90, 'At most 90 days'),
});
export type TApprovalPolicy = z.input<typeof ZApprovalPolicy>;

/** What each kind of change request does, as people read it. */
export const CHANGE_KINDS = {
  CREATE: 'Create',
  UPDATE: 'Change settings and secrets',
  REVOKE: 'Revoke',
  DELETE: 'Delete',
  RESTORE: 'Restore',
  STAGE: 'Set pending secrets',
  ROLLBACK: 'Roll back to the previous secrets',
  ADMIN_GRANT: 'Make an administrator',
  APPROVAL_POLICY: 'Turn four-eyes approval off',
  ORGANIZATION_SHRED: 'Destroy every secret of the organization',
  SSO_CONNECTION: 'Change single sign-on',
} as const;

export const CHANGE_STATUSES = {
  PENDING: 'waiting for approval',
  APPLIED: 'approved and applied',
  REJECTED: 'rejected',
  WITHDRAWN: 'withdrawn',
  EXPIRED: 'expired',
  STALE: 'refused: the credential changed since',
} as const;
