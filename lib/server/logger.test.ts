import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_PROFILES } from '@/lib/schemas/credential-profiles';
import { createLogger, SECRET_KEYS } from '@/lib/server/logger';

describe('logger', () => {
  it('redacts every secret field of every profile, at any depth we log', () => {
    const lines: string[] = [];
    const log = createLogger(new Writable({ write: (chunk, _, done) => (lines.push(String(chunk)), done()) }));
    const secretFields = Object.values(CREDENTIAL_PROFILES).flatMap((p) => p.fields.filter((f) => f.secret).map((f) => f.name));
    expect(secretFields.length).toBeGreaterThan(5);
    for (const field of secretFields) {
      const value = `leak-${field}-${Math.random()}`;
      log.info({ [field]: value, values: { [field]: value }, request: { body: { [field]: value } } }, 'test');
      expect(lines.at(-1)).not.toContain(value);
      expect(lines.at(-1)).toContain('[redacted]');
    }
  });

  it('covers tokens and auth material too', () => {
    for (const key of ['password', 'access_token', 'refresh_token', 'authorization', 'cookie', 'STRONGROOM_KEK']) expect(SECRET_KEYS).toContain(key);
  });
});
