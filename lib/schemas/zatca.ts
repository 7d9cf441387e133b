import { z } from 'zod';

/** The one-time password the Fatoora portal shows (6 digits, valid for an hour). */
const otp = z.string().trim().regex(/^\d{6}$/, 'The OTP from the Fatoora portal is 6 digits');

/** Onboarding and renewal steps name the credential and the version the admin saw (check-and-set). */
export const ZZatcaStep = z.object({
  credentialId: z.uuid('Unknown credential'),
  version: z.number().int().positive(),
  step: z.enum(['compliance', 'production', 'renew'], { error: 'Unknown step' }),
  otp: z.string().optional(),
});
export type TZatcaStep = z.input<typeof ZZatcaStep>;

export const ZZatcaOtp = z.object({ otp });
