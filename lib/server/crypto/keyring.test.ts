import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { unwrapDataKey, wrapDataKey } from '@/lib/server/crypto/data-keys';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { parseKeyEnv } from '@/lib/server/env';

const row = { id: randomUUID(), organizationId: randomUUID(), purpose: 'DATA' as const, version: 1 };

describe('key-encryption keys', () => {
  it('unwraps under the current key, then under a previous one after a KEK change', async () => {
    const oldKek = randomBytes(32);
    const dataKey = randomBytes(32);
    const wrapped = await wrapDataKey(makeKeyring(oldKek), row, dataKey);
    const rotated = makeKeyring(randomBytes(32), [oldKek]);
    expect((await unwrapDataKey(rotated, { ...row, ...wrapped })).equals(dataKey)).toBe(true);
    await expect(unwrapDataKey(makeKeyring(randomBytes(32)), { ...row, ...wrapped })).rejects.toThrow(/not configured \(add it to STRONGROOM_KEK_PREVIOUS\)/);
  });

  it('binds a wrapped key to its organization and row', async () => {
    const keyring = makeKeyring(randomBytes(32));
    const wrapped = await wrapDataKey(keyring, row, randomBytes(32));
    await expect(unwrapDataKey(keyring, { ...row, ...wrapped, organizationId: randomUUID() })).rejects.toThrow(IntegrityError);
    await expect(unwrapDataKey(keyring, { ...row, ...wrapped, id: randomUUID() })).rejects.toThrow(IntegrityError);
    await expect(unwrapDataKey(keyring, { ...row, ...wrapped, purpose: 'FINGERPRINT' })).rejects.toThrow(IntegrityError);
  });

  it('identifies a key by a hash of it, not by the key', () => {
    const key = randomBytes(32);
    const { current } = makeKeyring(key);
    expect(current.id).toMatch(/^[0-9a-f]{16}$/);
    expect(key.toString('hex')).not.toContain(current.id);
    expect(makeKeyring(key).current.id).toBe(current.id);
  });
});

describe('parseKeyEnv', () => {
  const good = randomBytes(32).toString('base64');

  it('accepts a current key and previous ones', () => {
    const parsed = parseKeyEnv({ STRONGROOM_KEK: good, STRONGROOM_KEK_PREVIOUS: `${randomBytes(32).toString('base64')}, ${good}` });
    expect(parsed.STRONGROOM_KEK).toHaveLength(32);
    expect(parsed.STRONGROOM_KEK_PREVIOUS).toHaveLength(2);
  });

  it.each([
    [{}, /STRONGROOM_KEK is missing: generate one with `npm run keys:generate`/],
    [{ STRONGROOM_KEK: '' }, /STRONGROOM_KEK is missing/],
    [{ STRONGROOM_KEK: randomBytes(16).toString('base64') }, /STRONGROOM_KEK must be base64 of exactly 32 bytes, not 16/],
    [{ STRONGROOM_KEK: 'not base64 at all!' }, /STRONGROOM_KEK must be base64/],
    [{ STRONGROOM_KEK: good, STRONGROOM_KEK_PREVIOUS: 'short' }, /STRONGROOM_KEK_PREVIOUS must be base64 of exactly 32 bytes/],
  ])('refuses bad key configuration #%# with one line, never echoing the key', (source, message) => {
    let error: Error | undefined;
    try {
      parseKeyEnv(source);
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
    for (const value of Object.values(source)) if (value) expect(error?.message).not.toContain(value);
  });
});
