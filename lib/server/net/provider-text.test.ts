import { describe, expect, it } from 'vitest';
import { knownOAuthError, scrubSecrets } from '@/lib/server/net/provider-text';

describe('provider text', () => {
  it('keeps only known OAuth error codes', () => {
    expect(knownOAuthError('invalid_client')).toBe('invalid_client');
    expect(knownOAuthError('temporarily_unavailable')).toBe('temporarily_unavailable');
    expect(knownOAuthError('bad s3cret-value')).toBe('oauth_error');
    expect(knownOAuthError('invalid_client s3cret')).toBe('oauth_error');
    expect(knownOAuthError(42)).toBe('oauth_error');
    expect(knownOAuthError(undefined)).toBe('oauth_error');
  });

  const secret = 'p@ss w/rd+"q"&=1';
  it.each([
    ['raw', secret],
    ['encodeURIComponent', encodeURIComponent(secret)],
    ['form-urlencoded (client_secret_post)', new URLSearchParams({ s: secret }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ['base64', Buffer.from(secret).toString('base64')],
    ['base64url', Buffer.from(secret).toString('base64url')],
  ])('removes the %s spelling of a secret', (_, spelled) => {
    const clean = scrubSecrets(`provider said: bad ${spelled}!`, [secret]);
    expect(clean).toBe('provider said: bad [redacted]!');
  });

  it('removes a client_secret_basic header value when the pair is passed', () => {
    const form = (v: string) => new URLSearchParams({ v }).toString().slice(2);
    const header = Buffer.from(`${form('my client')}:${form(secret)}`).toString('base64');
    expect(scrubSecrets(`Basic ${header}`, [secret, `${form('my client')}:${form(secret)}`])).toBe('Basic [redacted]');
  });

  it('folds line breaks, caps the length, and leaves very short values alone', () => {
    expect(scrubSecrets('a\r\nb\tc', [])).toBe('a b c');
    expect(scrubSecrets('x'.repeat(1000), [])).toHaveLength(300);
    expect(scrubSecrets('the key abc', ['abc', undefined])).toBe('the key abc');
  });
});
