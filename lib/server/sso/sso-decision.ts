import 'server-only';
import type { TSsoRefusal } from '@/lib/schemas/sso';
import type { Role } from '@/prisma/generated/client';

/** What an organization's single sign-on lets in, as decided from its settings. */
export interface SsoPolicy {
  organizationId: string;
  issuer: string;
  jitDomains: readonly string[];
  groupsClaim: string | null;
  groupRoles: readonly { group: string; role: Role }[];
}

/** The ID token's claims that matter here. */
export interface SsoIdentity {
  subject: string;
  email: string;
  name: string | null;
  groups: string[];
  /** The provider's session id, which a back-channel logout names. */
  sid: string | null;
}

/** What is known in Strongroom about the email address signing in. */
export interface SsoCandidates {
  user: { id: string; organizationId: string; role: Role; disabledAt: Date | null; ssoSubject: string | null } | null;
  /** An open invitation to this organization for the address. */
  invitation: { id: string; role: Role } | null;
}

export type SsoDecision =
  | { admit: 'existing'; userId: string; role: Role; linkSubject: boolean }
  | { admit: 'invited'; invitationId: string; role: Role }
  | { admit: 'just-in-time'; role: Role }
  | { refuse: TSsoRefusal };

/**
 * Reads the ID token's claims: the issuer must be the configured one, the subject present, the email
 * present and verified (`email_verified` true, as a boolean or the string some providers send).
 */
export function readIdentity(claims: Record<string, unknown>, policy: Pick<SsoPolicy, 'issuer' | 'groupsClaim'>): SsoIdentity | { refuse: TSsoRefusal } {
  if (claims.iss !== policy.issuer) return { refuse: 'wrong_issuer' };
  const subject = typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!subject || !email || !email.includes('@')) return { refuse: 'no_email' };
  if (claims.email_verified !== true && claims.email_verified !== 'true') return { refuse: 'unverified_email' };
  const raw = policy.groupsClaim ? claims[policy.groupsClaim] : undefined;
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : typeof raw === 'string' ? [raw] : [];
  return { subject, email, name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : null, groups, sid: typeof claims.sid === 'string' ? claims.sid : null };
}

/** The role the first mapping row naming one of `groups` gives, or null. Never ADMIN, whatever is stored. */
export function roleFromGroups(groups: readonly string[], mapping: SsoPolicy['groupRoles']): Role | null {
  const row = mapping.find((m) => m.role !== 'ADMIN' && groups.includes(m.group));
  return row?.role ?? null;
}

/**
 * Who a verified sign-in from the provider is. An account of this organization is matched by email
 * (and, once linked, by the provider's subject too); a deactivated one is refused. Otherwise an open
 * invitation makes the account with the invited role; otherwise an address of a listed domain gets
 * one with the role its groups map to, or VIEWER. An administrator's role never comes from groups,
 * and a group never makes one.
 */
export function decideSsoUser(identity: SsoIdentity, policy: SsoPolicy, { user, invitation }: SsoCandidates): SsoDecision {
  const mapped = roleFromGroups(identity.groups, policy.groupRoles);
  if (user) {
    if (user.organizationId !== policy.organizationId) return { refuse: 'other_organization' };
    if (user.disabledAt) return { refuse: 'disabled' };
    if (user.ssoSubject && user.ssoSubject !== identity.subject) return { refuse: 'subject_changed' };
    const role = user.role === 'ADMIN' || !mapped ? user.role : mapped;
    return { admit: 'existing', userId: user.id, role, linkSubject: !user.ssoSubject };
  }
  if (invitation) return { admit: 'invited', invitationId: invitation.id, role: invitation.role };
  const domain = identity.email.slice(identity.email.lastIndexOf('@') + 1);
  if (policy.jitDomains.includes(domain)) return { admit: 'just-in-time', role: mapped ?? 'VIEWER' };
  return { refuse: 'no_account' };
}
