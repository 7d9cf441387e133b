import { describe, expect, it } from 'vitest';
import { decideSsoUser, readIdentity, roleFromGroups, type SsoIdentity, type SsoPolicy } from '@/lib/server/sso/sso-decision';

const policy: SsoPolicy = {
  organizationId: 'org-1',
  issuer: 'https://login.example.com/realms/finance',
  jitDomains: ['atlas.example'],
  groupsClaim: 'groups',
  groupRoles: [
    { group: 'finance-ops', role: 'OPERATOR' },
    { group: 'internal-audit', role: 'AUDITOR' },
  ],
};
const claims = { iss: policy.issuer, sub: 'sub-1', email: 'Nora@Atlas.example', email_verified: true, name: 'Nora', groups: ['staff'], sid: 'sid-1' };
const identity = readIdentity(claims, policy) as SsoIdentity;
const account = { id: 'user-1', organizationId: 'org-1', role: 'VIEWER' as const, disabledAt: null, ssoSubject: null };

describe('reading the ID token', () => {
  it('takes a verified email lower-cased, the groups named by the configured claim and the provider session', () => {
    expect(identity).toEqual({ subject: 'sub-1', email: 'nora@atlas.example', name: 'Nora', groups: ['staff'], sid: 'sid-1' });
    expect(readIdentity({ ...claims, email_verified: 'true', groups: 'finance-ops' }, policy)).toMatchObject({ groups: ['finance-ops'] });
    expect(readIdentity({ ...claims, roles: ['x'] }, { ...policy, groupsClaim: 'roles' })).toMatchObject({ groups: ['x'] });
  });

  it('refuses an unverified or missing email, a missing subject and another issuer', () => {
    expect(readIdentity({ ...claims, email_verified: false }, policy)).toEqual({ refuse: 'unverified_email' });
    expect(readIdentity({ ...claims, email_verified: undefined }, policy)).toEqual({ refuse: 'unverified_email' });
    expect(readIdentity({ ...claims, email: undefined }, policy)).toEqual({ refuse: 'no_email' });
    expect(readIdentity({ ...claims, email: 'not-an-address' }, policy)).toEqual({ refuse: 'no_email' });
    expect(readIdentity({ ...claims, sub: '' }, policy)).toEqual({ refuse: 'no_email' });
    expect(readIdentity({ ...claims, iss: 'https://login.example.com/realms/other' }, policy)).toEqual({ refuse: 'wrong_issuer' });
  });
});

describe('group mapping', () => {
  it('gives the first listed mapping that names one of the groups, never an administrator', () => {
    expect(roleFromGroups(['internal-audit', 'finance-ops'], policy.groupRoles)).toBe('OPERATOR');
    expect(roleFromGroups(['internal-audit'], policy.groupRoles)).toBe('AUDITOR');
    expect(roleFromGroups(['staff'], policy.groupRoles)).toBeNull();
    expect(roleFromGroups(['it-admins'], [{ group: 'it-admins', role: 'ADMIN' }])).toBeNull();
  });
});

describe('who gets in', () => {
  it('matches an account of the organization by email, links the subject once, and refuses another subject later', () => {
    expect(decideSsoUser(identity, policy, { user: account, invitation: null })).toEqual({ admit: 'existing', userId: 'user-1', role: 'VIEWER', linkSubject: true });
    expect(decideSsoUser(identity, policy, { user: { ...account, ssoSubject: 'sub-1' }, invitation: null })).toMatchObject({ admit: 'existing', linkSubject: false });
    expect(decideSsoUser(identity, policy, { user: { ...account, ssoSubject: 'sub-0' }, invitation: null })).toEqual({ refuse: 'subject_changed' });
  });

  it('refuses a deactivated account, and an account of another organization', () => {
    expect(decideSsoUser(identity, policy, { user: { ...account, disabledAt: new Date(0) }, invitation: null })).toEqual({ refuse: 'disabled' });
    expect(decideSsoUser(identity, policy, { user: { ...account, organizationId: 'org-2' }, invitation: null })).toEqual({ refuse: 'other_organization' });
  });

  it('maps groups to the role of a non-administrator at each sign-in; an administrator stays one', () => {
    const ops = { ...identity, groups: ['finance-ops'] };
    expect(decideSsoUser(ops, policy, { user: account, invitation: null })).toMatchObject({ role: 'OPERATOR' });
    expect(decideSsoUser(ops, policy, { user: { ...account, role: 'ADMIN' }, invitation: null })).toMatchObject({ role: 'ADMIN' });
    expect(decideSsoUser(identity, policy, { user: { ...account, role: 'AUDITOR' }, invitation: null })).toMatchObject({ role: 'AUDITOR' });
  });

  it('an invitation makes the account with its role; a listed domain gets a viewer or its mapped role; any other address is refused', () => {
    expect(decideSsoUser(identity, policy, { user: null, invitation: { id: 'inv-1', role: 'OPERATOR' } })).toEqual({ admit: 'invited', invitationId: 'inv-1', role: 'OPERATOR' });
    expect(decideSsoUser(identity, policy, { user: null, invitation: null })).toEqual({ admit: 'just-in-time', role: 'VIEWER' });
    expect(decideSsoUser({ ...identity, groups: ['internal-audit'] }, policy, { user: null, invitation: null })).toEqual({ admit: 'just-in-time', role: 'AUDITOR' });
    expect(decideSsoUser({ ...identity, email: 'eve@evil.example' }, policy, { user: null, invitation: null })).toEqual({ refuse: 'no_account' });
    // A subdomain is not the domain.
    expect(decideSsoUser({ ...identity, email: 'eve@mail.atlas.example' }, policy, { user: null, invitation: null })).toEqual({ refuse: 'no_account' });
    expect(decideSsoUser(identity, { ...policy, jitDomains: [] }, { user: null, invitation: null })).toEqual({ refuse: 'no_account' });
  });
});
