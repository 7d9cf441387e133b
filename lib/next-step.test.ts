import { describe, expect, it } from 'vitest';
import { nextStep, type NeedsSomeone } from '@/lib/next-step';

const admin = { canChange: true, canTest: true };
const viewer = { canChange: false, canTest: false };
const oauth = (more: Partial<NeedsSomeone>): NeedsSomeone => ({ id: 'c1', profile: 'oauth2-client-credentials', category: 'FAILING', ...more });

describe('the next step for a credential that needs someone', () => {
  it('a refused client: check the client id and secret with the provider, and edit them', () => {
    for (const failure of [{ errorCode: 'invalid_client' }, { errorCode: null, httpStatus: 401 }, { errorCode: 'http_error', httpStatus: 403 }]) {
      expect(nextStep(oauth(failure), admin)).toEqual({ text: expect.stringMatching(/refused these credentials: check the client ID and secret/), action: { href: '/credentials/c1/edit', label: 'Edit settings and secrets' } });
    }
  });

  it('the provider down: not the credential, and when Strongroom tries again', () => {
    expect(nextStep(oauth({ errorCode: 'server_error', httpStatus: 503, testEveryHours: 24 }), admin)).toEqual({
      text: expect.stringMatching(/provider is failing or unreachable.*tests it again on its schedule \(every 24 hours\)/),
      action: { href: '/credentials/c1', label: 'Test again' },
    });
    expect(nextStep(oauth({ errorCode: 'timeout', testEveryHours: null }), admin).text).toMatch(/Scheduled tests are off, so run a test once the provider is back/);
    expect(nextStep(oauth({ errorCode: 'timeout', testEveryHours: null }), viewer)).toEqual({ text: expect.stringMatching(/Operators and administrators run tests\.$/) });
  });

  it('expiring and expired: renew, as a pending version; a certificate says certificate', () => {
    expect(nextStep({ id: 'c2', profile: 'peppol-ap-certificate', category: 'EXPIRING' }, admin)).toEqual({
      text: expect.stringMatching(/^Renew the certificate with the issuer now: set the new one as a pending version/),
      action: { href: '/credentials/c2/rotate', label: 'Set pending secrets' },
    });
    expect(nextStep({ id: 'c3', profile: 'api-key', category: 'EXPIRED' }, admin).text).toMatch(/^Get a new secret from the issuer/);
  });

  it('whoever may not do it is told whom to ask, with no link', () => {
    expect(nextStep(oauth({ errorCode: 'invalid_client' }), viewer)).toEqual({ text: expect.stringMatching(/Ask an administrator\.$/) });
    expect(nextStep({ id: 'c4', profile: 'api-key', category: 'NEVER_TESTED' }, viewer)).toEqual({ text: expect.stringMatching(/^Ask an operator to run a connection test/) });
    expect(nextStep({ id: 'c4', profile: 'api-key', category: 'NEVER_TESTED' }, { canChange: false, canTest: true }).action).toEqual({ href: '/credentials/c4', label: 'Run a test' });
  });
});
