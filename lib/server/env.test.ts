import { describe, expect, it } from 'vitest';
import { parseEnv, ssoFromEnvironment } from '@/lib/server/env';

describe('parseEnv', () => {
  it('accepts an empty environment: embedded database with defaults', () => {
    expect(parseEnv({})).toMatchObject({ DATA_DIR: './data', PORT: 3000, LOG_LEVEL: 'info', SEED_DEMO: 'true' });
  });

  it('treats blank variables as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', NEXTAUTH_SECRET: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ DATABASE_URL: 'mysql://localhost/x' }, /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ URL/],
    [{ NEXTAUTH_SECRET: 'short' }, /NEXTAUTH_SECRET must be at least 32 characters/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ DATABASE_URL: 'postgres://db/strongroom' }, /NEXTAUTH_SECRET must be set when DATABASE_URL is set/],
    [{ TRUSTED_PROXIES: '10.0.0.0/8, proxy.internal' }, /TRUSTED_PROXIES "proxy.internal" is not an IP address or CIDR/],
    [{ TRUSTED_PROXIES: '0' }, /TRUSTED_PROXIES a hop count must be from 1 to 10/],
  ])('refuses %o with one line saying what to set', (source, message) => {
    let error: unknown;
    try {
      parseEnv(source);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never echoes a rejected value back', () => {
    expect(() => parseEnv({ NEXTAUTH_SECRET: 'hunter2-too-short' })).toThrow(/^(?!.*hunter2)/);
  });

  it('takes single sign-on for a scripted install from SSO_*, checked like the form, or says which variable is wrong', () => {
    const sso = { SSO_ORGANIZATION: 'Acme', SSO_ISSUER: 'https://login.acme.example/realms/finance/', SSO_CLIENT_ID: 'strongroom', SSO_CLIENT_SECRET: 'sso-secret-value-123' };
    expect(ssoFromEnvironment(parseEnv({}))).toBeNull();
    expect(ssoFromEnvironment(parseEnv({ ...sso, SSO_JIT_DOMAINS: 'acme.example, Acme.AE', SSO_GROUPS_CLAIM: 'groups', SSO_GROUP_ROLES: 'finance-ops = OPERATOR; auditors = auditor' }))).toEqual({
      ok: true,
      organization: 'acme',
      clientSecret: 'sso-secret-value-123',
      settings: {
        issuer: 'https://login.acme.example/realms/finance',
        clientId: 'strongroom',
        jitDomains: ['acme.example', 'acme.ae'],
        groupsClaim: 'groups',
        groupRoles: [
          { group: 'finance-ops', role: 'OPERATOR' },
          { group: 'auditors', role: 'AUDITOR' },
        ],
      },
    });
    expect(() => parseEnv({ SSO_ISSUER: sso.SSO_ISSUER })).toThrow(/SSO_ORGANIZATION, SSO_CLIENT_ID, SSO_CLIENT_SECRET must be set/);
    expect(() => parseEnv({ ...sso, SSO_ISSUER: 'login.acme.example' })).toThrow(/SSO_ISSUER: Enter the issuer as a URL/);
    expect(() => parseEnv({ ...sso, SSO_GROUPS_CLAIM: 'groups', SSO_GROUP_ROLES: 'it = ADMIN' })).toThrow(/SSO_GROUP_ROLES: Line 1: .*never makes an administrator/);
    expect(() => parseEnv({ ...sso, SSO_GROUP_ROLES: 'it = VIEWER' })).toThrow(/SSO_GROUPS_CLAIM: Name the claim/);
    // The secret is never echoed back.
    expect(() => parseEnv({ ...sso, SSO_ISSUER: 'nope' })).toThrow(/^(?!.*sso-secret-value-123)/);
  });
});
