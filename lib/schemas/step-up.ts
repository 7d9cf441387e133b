import { z } from 'zod';

/** A 6-digit code from the authenticator (spaces allowed: "123 456") or a recovery code. */
export const ZSecondFactorCode = z
  .string()
  .transform((value) => value.replace(/[\s-]/g, '').toLowerCase())
  .pipe(
    z
      .string()
      .min(1, 'Enter the code from your authenticator app')
      .regex(/^(\d{6}|[a-z2-7]{10})$/, 'Enter the 6 digits from your authenticator app, or a recovery code'),
  );

/** What a form that changes secrets asks first. */
export const ZStepUp = z.object({ code: ZSecondFactorCode });
export type TStepUp = z.input<typeof ZStepUp>;

const ZCurrentPassword = z.string().min(1, 'Enter your password').max(1024, 'Too long for a password');

/** Setting up two-factor for the first time asks for the password. */
export const ZStartEnrollment = z.object({ password: ZCurrentPassword });
export type TStartEnrollment = z.input<typeof ZStartEnrollment>;

/** Re-enrolling or turning two-factor off needs the password and a current code. */
export const ZReauthenticate = z.object({
  password: ZCurrentPassword,
  code: ZSecondFactorCode,
});
export type TReauthenticate = z.input<typeof ZReauthenticate>;

// An account made through single sign-on has no password: its forms send none, and a recent sign-in
// through the provider stands in for it (the server decides which applies).
export const ZStartEnrollmentWithoutPassword = z.object({ password: z.literal('') });
export const ZReauthenticateWithoutPassword = ZReauthenticate.extend({ password: z.literal('') });

/** What the actions take: a password, or none for an account without one. */
const ZPasswordOrNone = z.string().max(1024, 'Too long for a password');
export const ZStartEnrollmentInput = z.object({ password: ZPasswordOrNone });
export const ZReauthenticateInput = ZReauthenticate.extend({ password: ZPasswordOrNone });

/**
 * What a step-up opens. One code opens a working window for every credential change (add, edit,
 * replace, revoke, delete, restore): admins do these in runs. Acts with wider reach, keys of machines
 * and other people's second factor, each ask on their own.
 */
export const STEP_UP_PURPOSES = [
  'approval-policy',
  'credentials',
  'keys.rotate',
  'organization.shred',
  'passkeys',
  'service-account.keys',
  'sso',
  'user.two-factor',
  'users',
  'webhooks',
] as const;
export type TStepUpPurpose = (typeof STEP_UP_PURPOSES)[number];
export const ZStepUpPurpose = z.enum(STEP_UP_PURPOSES);

/** What the user is told they are confirming. */
export const STEP_UP_PURPOSE_LABELS: Record<TStepUpPurpose, string> = {
  'approval-policy': 'change the four-eyes approval policy',
  credentials: 'add, change, revoke or delete credentials for the next minutes',
  'keys.rotate': 'rewrap every data key under the current key-encryption key',
  'organization.shred': 'destroy every secret of this organization for good',
  passkeys: 'add or remove your passkeys',
  'service-account.keys': 'manage service-account keys',
  sso: 'change how people sign in: the identity provider, its client secret, who gets in, SSO only, break-glass administrators and passkeys for administrators',
  'user.two-factor': 'unlock or reset another user’s two-factor authentication',
  users: 'invite people, change roles, deactivate accounts and issue password resets',
  webhooks: 'add or remove webhook endpoints (their signing secrets)',
};
