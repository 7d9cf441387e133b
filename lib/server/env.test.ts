import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/server/env';

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
});
