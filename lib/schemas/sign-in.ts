import { z } from 'zod';

export const ZSignIn = z.object({
  email: z.email('Enter an email address').max(254, 'Too long for an email address').transform((e) => e.toLowerCase()),
  password: z.string().min(1, 'Enter your password').max(1024, 'Too long for a password'),
});

export type TSignIn = z.input<typeof ZSignIn>;

/** Start of the message shown when sign-in is refused for too many failures. */
export const SIGN_IN_LOCKED_PREFIX = 'Too many failed sign-ins';

/** The message shown when the right password is refused because the organization signs in through its provider. */
export const SIGN_IN_SSO_ONLY = 'Your organization signs in through its identity provider: use single sign-on below.';
