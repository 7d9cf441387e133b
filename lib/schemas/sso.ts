import { z } from 'zod';

/** Roles a provider's group may give: never ADMIN (administrators are made inside Strongroom, with a second administrator's approval). */
export const SSO_GROUP_ROLES = ['VIEWER', 'OPERATOR', 'AUDITOR'] as const;

const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'Write each domain as example.com, one per line');

/** "example.com, example.ae" or one per line → lower-cased, unique domains. */
const ZDomains = z
  .string()
  .max(4000, 'Too many domains')
  .transform((text) => [...new Set(text.split(/[\s,;]+/).map((d) => d.trim().toLowerCase()).filter(Boolean))])
  .pipe(z.array(domain).max(50, 'At most 50 domains'));

/** "finance-ops = OPERATOR", one per line, first match wins. */
const ZGroupRoles = z
  .string()
  .max(8000, 'Too many lines')
  .transform((text, context) => {
    const rows: { group: string; role: (typeof SSO_GROUP_ROLES)[number] }[] = [];
    for (const [index, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      const match = /^\s*(.+?)\s*=\s*([A-Za-z]+)\s*$/.exec(line);
      const role = match?.[2]!.toUpperCase();
      if (!match || !SSO_GROUP_ROLES.includes(role as never)) {
        context.addIssue({ code: 'custom', message: `Line ${index + 1}: write group = VIEWER, OPERATOR or AUDITOR (a group never makes an administrator)` });
        return z.NEVER;
      }
      rows.push({ group: match[1]!, role: role as (typeof SSO_GROUP_ROLES)[number] });
    }
    return rows;
  });

/** Admin → Sign-in: the organization's OpenID Connect provider. A blank client secret keeps the stored one. */
export const ZSsoSettings = z
  .object({
    issuer: z
      .string()
      .trim()
      .min(1, 'Enter the issuer URL from the provider')
      .max(500, 'Too long for an issuer URL')
      .url('Enter the issuer as a URL, such as https://login.example.com/realms/finance')
      .refine((value) => /^https?:\/\//i.test(value), 'The issuer starts with https://')
      .refine((value) => !/[?#]/.test(value), 'An issuer has no query or fragment')
      .transform((value) => value.replace(/\/+$/, '')),
    clientId: z.string().trim().min(1, 'Enter the client id the provider gave').max(300, 'Too long for a client id'),
    clientSecret: z.string().max(2000, 'Too long for a client secret'),
    jitDomains: ZDomains,
    groupsClaim: z
      .string()
      .trim()
      .max(100, 'Too long for a claim name')
      .regex(/^[A-Za-z0-9_:./-]*$/, 'A claim name has letters, digits and _ : . / - only'),
    groupRoles: ZGroupRoles,
  })
  .refine((value) => value.groupRoles.length === 0 || value.groupsClaim !== '', { path: ['groupsClaim'], message: 'Name the claim that lists groups, or remove the group mapping' });
export type TSsoSettings = z.input<typeof ZSsoSettings>;

/** Password sign-in for everyone but break-glass administrators, on or off. */
export const ZSsoOnly = z.object({ ssoOnly: z.boolean() });

/** Marks an administrator as break-glass (may sign in with a password when SSO only is on), or not. */
export const ZBreakGlass = z.object({ userId: z.string().uuid('Choose an administrator'), breakGlass: z.boolean() });

/** The organization a person signs in to through single sign-on, by its short name. */
export const ZSsoStart = z.object({
  organization: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, 'Enter your organization’s short name')
    .max(100, 'Too long for a short name')
    .regex(/^[a-z0-9-]+$/, 'A short name has letters, digits and hyphens only'),
});
export type TSsoStart = z.input<typeof ZSsoStart>;

/** Why a single sign-on was refused, as the sign-in page explains it (the `reason` query parameter). */
export const SSO_REFUSALS = {
  not_configured: 'This organization has no single sign-on set up. Sign in with your email and password, or ask an administrator.',
  no_email: 'Your identity provider did not say your email address, so nobody was signed in. Ask your administrator to release the email claim.',
  unverified_email: 'Your identity provider has not verified your email address, so nobody was signed in.',
  no_account: 'There is no Strongroom account for this email address in this organization. Ask an administrator to invite you.',
  disabled: 'This account is deactivated in Strongroom. Ask an administrator.',
  // Shown as `no_account` (see admitSsoUser): whether an address has an account elsewhere is not this organization's to learn.
  other_organization: 'There is no Strongroom account for this email address in this organization. Ask an administrator to invite you.',
  subject_changed: 'This account was first signed in as another identity at your provider, so nobody was signed in. Ask an administrator.',
  wrong_issuer: 'The identity provider’s answer came from another issuer than the one configured, so nobody was signed in.',
  provider_error: 'The identity provider’s answer could not be verified or the provider could not be reached, so nobody was signed in. Try again; if it persists, ask an administrator (the audit log says why).',
} as const;
export type TSsoRefusal = keyof typeof SSO_REFUSALS;
