import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { openString, sealString } from '@/lib/server/crypto/sealed-format';

const dataKey = { id: randomUUID(), key: randomBytes(32) };
const context = { organizationId: randomUUID(), table: 'Credential', rowId: randomUUID(), field: 'clientSecret' };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('sealed values', () => {
  it('round-trips text, including empty and non-ASCII', () => {
    for (const value of ['s3cr3t', '', 'ünïcødé · 秘密 · 🔑', 'x'.repeat(10_000)]) {
      expect(openString(dataKey, context, sealString(dataKey, context, value))).toBe(value);
    }
  });

  it('has the documented layout: sr1.<dataKeyId>.<nonce>.<ciphertext+tag>', () => {
    const sealed = sealString(dataKey, context, 'abc');
    const [format, keyId, nonce, body] = sealed.split('.');
    expect([format, keyId]).toEqual(['sr1', dataKey.id]);
    expect(Buffer.from(nonce!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(body!, 'base64url')).toHaveLength(3 + 16);
  });

  it('refuses a change to any single character of a sealed value', () => {
    const sealed = sealString(dataKey, context, 'a secret worth protecting');
    for (let i = 0; i < sealed.length; i++) {
      if (sealed[i] === '.') continue;
      const replacement = ALPHABET[(ALPHABET.indexOf(sealed[i]!) + 1) % ALPHABET.length] ?? 'A';
      const altered = sealed.slice(0, i) + replacement + sealed.slice(i + 1);
      expect(() => openString(dataKey, context, altered), `position ${i}`).toThrow(IntegrityError);
    }
  });

  it('refuses a value moved to another organization, row, table or field', () => {
    const sealed = sealString(dataKey, context, 'bound to its place');
    for (const moved of [
      { ...context, organizationId: randomUUID() },
      { ...context, rowId: randomUUID() },
      { ...context, table: 'User' },
      { ...context, field: 'apiKey' },
    ]) {
      expect(() => openString(dataKey, moved, sealed)).toThrow(IntegrityError);
    }
  });

  it('refuses the right bytes under another key, and truncated or padded values', () => {
    const sealed = sealString(dataKey, context, 'abc');
    expect(() => openString({ id: dataKey.id, key: randomBytes(32) }, context, sealed)).toThrow(IntegrityError);
    expect(() => openString(dataKey, context, sealed.slice(0, -4))).toThrow(IntegrityError);
    expect(() => openString(dataKey, context, `${sealed}AAAA`)).toThrow(IntegrityError);
    expect(() => openString(dataKey, context, `${sealed}.extra`)).toThrow(IntegrityError);
  });

  it('never repeats a nonce in 100,000 seals', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 100_000; i++) nonces.add(sealString(dataKey, context, 'same plaintext').split('.')[2]!);
    expect(nonces.size).toBe(100_000);
  });
});
