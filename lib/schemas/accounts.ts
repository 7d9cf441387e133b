import { z } from 'zod';
import { oneLineText } from '@/lib/schemas/text';
import { ROLES } from '@/lib/roles';

export const MIN_PASSWORD_LENGTH = 12;

/** The token of a single-use link: 32 random bytes, base64url. Anything else never reaches the database. */
export const ZLinkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'This link is not valid.');

export const ZEmail = z.email('Enter an email address').max(254, 'Too long for an email address').transform((e) => e.toLowerCase());
export const ZPersonName = oneLineText({ min: 1, max: 120, empty: 'Enter a name' });

/** A new password with its repetition; never the account's email address. */
function withNewPassword<T extends z.ZodRawShape>(shape: T, emailOf: (value: Record<string, unknown>) => unknown) {
  return z
    .object({
      ...shape,
      password: z.string().min(MIN_PASSWORD_LENGTH, `At least ${MIN_PASSWORD_LENGTH} characters`).max(1024, 'Too long for a password'),
      repeatPassword: z.string(),
    })
    .superRefine((parsed, context) => {
      const value = parsed as Record<string, unknown> & { password: string; repeatPassword: string };
      const email = emailOf(value);
      if (typeof email === 'string' && value.password.trim().toLowerCase() === email.toLowerCase()) {
        context.addIssue({ code: 'custom', path: ['password'], message: 'Choose a password that is not your email address' });
      }
      if (value.repeatPassword !== value.password) {
        context.addIssue({ code: 'custom', path: ['repeatPassword'], message: 'The two passwords differ' });
      }
    });
}

const FIRST_ADMIN = {
  organizationName: oneLineText({ min: 2, max: 120, empty: 'Enter the organization’s name' }),
  name: ZPersonName,
  email: ZEmail,
};

/** First run: the organization and its first administrator (`npm run setup` asks for the same). */
export const ZFirstAdmin = withNewPassword(FIRST_ADMIN, (value) => value.email);

/** The setup page: the same, with the setup link's token. */
export const ZSetup = withNewPassword({ token: ZLinkToken, ...FIRST_ADMIN }, (value) => value.email);
export type TSetup = z.input<typeof ZSetup>;

/** Joining through an invitation: the address and role come from the invitation. */
export const ZAcceptInvite = (email: string) => withNewPassword({ token: ZLinkToken, name: ZPersonName }, () => email);
export type TAcceptInvite = z.input<ReturnType<typeof ZAcceptInvite>>;

/** A new password through an administrator's reset link. */
export const ZResetPassword = (email: string) => withNewPassword({ token: ZLinkToken }, () => email);

/** Changing one's own password: the current one first. */
export const ZChangePassword = (email: string) =>
  withNewPassword({ currentPassword: z.string().min(1, 'Enter your current password').max(1024, 'Too long for a password') }, () => email);
export type TChangePassword = z.input<ReturnType<typeof ZChangePassword>>;

export const ZRole = z.enum(ROLES, 'Choose a role');

export const ZInvite = z.object({ email: ZEmail, role: ZRole });
export type TInvite = z.input<typeof ZInvite>;

export const ZUserRef = z.object({ userId: z.uuid('Unknown user') });
export const ZRoleChange = z.object({ userId: z.uuid('Unknown user'), role: ZRole });
export const ZInviteRef = z.object({ inviteId: z.uuid('Unknown invitation') });
