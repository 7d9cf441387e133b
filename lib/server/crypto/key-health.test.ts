import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setClock } from '@/lib/server/clock';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { KEY_HEALTH_TTL_MS, keyHealth, keysUsable } from '@/lib/server/crypto/key-health';
import { keyring, makeKeyring } from '@/lib/server/crypto/keyring';
import { openVaultTransitKek } from '@/lib/server/crypto/vault-transit-kek';
import { startFakeVault } from '@/lib/server/test-support/fake-key-services';
import { softHsm } from '@/lib/server/test-support/softhsm';

let vault: Awaited<ReturnType<typeof startFakeVault>>;
beforeAll(async () => {
  vault = await startFakeVault();
});
afterAll(async () => vault.close());

describe('key health', () => {
  it('is asked of the provider at most every KEY_HEALTH_TTL_MS, and recovers by itself when the provider is back', async () => {
    let at = Date.UTC(2026, 11, 5, 12);
    const restore = setClock(() => at);
    try {
      const kek = openVaultTransitKek({ address: vault.url, mount: 'transit', keyName: 'strongroom', login: { token: 'hvs.test-root-token' }, timeoutMs: 300 });
      const keys = makeKeyring(kek, [randomBytes(32)]);
      expect(await keysUsable(keys)).toEqual({ usable: true, provider: 'vault-transit' });
      vault.mode = 'error';
      const asked = vault.calls.length;
      expect(await keysUsable(keys)).toMatchObject({ usable: true }); // remembered answer
      expect(vault.calls.length).toBe(asked);
      at += KEY_HEALTH_TTL_MS;
      expect(await keysUsable(keys)).toEqual({ usable: false, provider: 'vault-transit', reason: expect.stringMatching(/Vault refused the transit key transit\/strongroom \(HTTP 500/) });
      expect((await keyHealth(keys)).map((k) => [k.provider, k.current, k.usable])).toEqual([
        ['vault-transit', true, false],
        ['env', false, true],
      ]);
      vault.mode = 'ok';
      at += KEY_HEALTH_TTL_MS;
      expect(await keysUsable(keys)).toEqual({ usable: true, provider: 'vault-transit' });
    } finally {
      vault.mode = 'ok';
      restore();
    }
  });

  it('a token that cannot be opened at start (wrong PIN) stands in as unavailable: the process starts, nothing is sealed, the PIN is never said', async () => {
    // A token never logged in here (a login holds for the whole process once it succeeds).
    const token = softHsm()(`start-${randomUUID().slice(0, 8)}`);
    const saved = { ...process.env };
    Object.assign(process.env, {
      STRONGROOM_KEY_PROVIDER: 'pkcs11',
      STRONGROOM_KEK: randomBytes(32).toString('base64'),
      STRONGROOM_PKCS11_MODULE: token.module,
      STRONGROOM_PKCS11_TOKEN: token.token,
      STRONGROOM_PKCS11_KEY: token.keyLabel,
      STRONGROOM_PKCS11_PIN: 'wrong-pin-98765',
    });
    let keys: ReturnType<typeof keyring>;
    try {
      keys = keyring();
    } finally {
      process.env = saved;
    }
    expect(keys.current.provider).toBe('pkcs11');
    const health = await keysUsable(keys);
    expect(health).toEqual({ usable: false, provider: 'pkcs11', reason: expect.stringMatching(/PIN of the PKCS#11 token "start-.*" is wrong \(or locked\); fix it and restart/) });
    expect(health.reason).not.toContain('wrong-pin-98765');
    await expect(keys.current.wrap(randomBytes(32), { organizationId: randomUUID(), keyId: randomUUID(), purpose: 'DATA' })).rejects.toThrow(KeyProviderError);
    // A wrong PIN is not tried again by itself (the token would lock it): the same keyring stays.
    expect(keyring()).toBe(keys);
  });
});
