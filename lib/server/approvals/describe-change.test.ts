import { describe, expect, it } from 'vitest';
import { describeSetting, hostOf, settingChanges } from '@/lib/server/approvals/describe-change';
import { formatDate } from '@/lib/format';
import { makeCertificate } from '@/lib/server/test-support/certificates';

describe('what an approver reads of a changed setting', () => {
  it('a certificate by subject, end date and fingerprint, never as PEM; an unreadable one says so', () => {
    const { certificate, notAfter } = makeCertificate({ subject: '/CN=Atlas Peppol AP/O=Atlas' });
    const text = describeSetting(certificate)!;
    expect(text).toMatch(/^certificate CN=Atlas Peppol AP, O=Atlas, valid until \d{1,2} [A-Z][a-z]{2} \d{4}, SHA-256 ([0-9A-F]{2}:){7}[0-9A-F]{2}…$/);
    expect(text).toContain(formatDate(notAfter));
    expect(text).not.toContain('BEGIN');
    expect(describeSetting('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toMatch(/not a readable certificate/);
  });

  it('marks a URL whose host changes (userinfo tricks and a new port included), not a path change', () => {
    expect(settingChanges({ tokenUrl: 'https://idp.example/token' }, { tokenUrl: 'https://idp.example/oauth/token' })).toEqual([
      { field: 'tokenUrl', from: 'https://idp.example/token', to: 'https://idp.example/oauth/token' },
    ]);
    expect(settingChanges({ tokenUrl: 'https://idp.example/token' }, { tokenUrl: 'https://idp.example@evil.example/token' })[0]!.host).toEqual({ from: 'idp.example', to: 'evil.example' });
    expect(settingChanges({ tokenUrl: 'https://idp.example/token' }, { tokenUrl: 'https://idp.example:8443/token' })[0]!.host).toEqual({ from: 'idp.example', to: 'idp.example:8443' });
    // A new credential: every setting from "not set", no host warning (there was no host before).
    expect(settingChanges({}, { tokenUrl: 'https://idp.example/token', clientId: 'erp' })).toEqual([
      { field: 'tokenUrl', from: null, to: 'https://idp.example/token' },
      { field: 'clientId', from: null, to: 'erp' },
    ]);
    expect(settingChanges({ scope: 'a' }, { scope: 'a' })).toEqual([]);
    expect(hostOf('api.example.com/x')).toBeNull();
  });
});
