import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { matchTotpStep, newTotpSecret } from '@/lib/server/step-up/totp';

// RFC 6238, Appendix B: seeds are the ASCII strings below (20, 32 and 64 bytes), 8 digits, 30 s steps.
const SEEDS = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s matches the published SHA-1, SHA-256 and SHA-512 codes', async (seconds, sha1, sha256, sha512) => {
    for (const [algorithm, code] of [['sha1', sha1], ['sha256', sha256], ['sha512', sha512]] as const) {
      const secret = new TextEncoder().encode(SEEDS[algorithm]);
      expect(await matchTotpStep({ secret, code, now: seconds * 1000, algorithm, digits: 8 })).toBe(Math.floor(seconds / 30));
    }
  });

  it('accepts one step either side and nothing further', async () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const codeAt = (offsetSteps: number) => generate({ secret, epoch: now / 1000 + offsetSteps * 30 });
    const step = Math.floor(now / 1000 / 30);
    expect(await matchTotpStep({ secret, code: await codeAt(-1), now })).toBe(step - 1);
    expect(await matchTotpStep({ secret, code: await codeAt(1), now })).toBe(step + 1);
    expect(await matchTotpStep({ secret, code: await codeAt(-2), now })).toBeNull();
    expect(await matchTotpStep({ secret, code: await codeAt(2), now })).toBeNull();
  });

  it('refuses malformed codes without calling the verifier', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 34 56']) {
      expect(await matchTotpStep({ secret: newTotpSecret(), code })).toBeNull();
    }
  });
});
