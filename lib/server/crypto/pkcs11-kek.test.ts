import { randomBytes, randomUUID } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { writeAuditCheckpoint } from '@/lib/server/audit/write-audit-checkpoint';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import { forgetDataKeys, unwrapDataKey, wrapDataKey } from '@/lib/server/crypto/data-keys';
import { makeKeyring, type Keyring } from '@/lib/server/crypto/keyring';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { generatePkcs11Kek, openPkcs11Kek, type Pkcs11Settings } from '@/lib/server/crypto/pkcs11-kek';
import { rewrapDataKeys } from '@/lib/server/crypto/rewrap-data-keys';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import type { Database } from '@/lib/server/db/open-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { SOFTHSM_MODULE, softHsm } from '@/lib/server/test-support/softhsm';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const row = { id: randomUUID(), organizationId: randomUUID(), purpose: 'DATA' };
let token: ReturnType<typeof softHsm>;
let settings: Pkcs11Settings;

beforeAll(() => {
  token = softHsm();
  // A token whose PIN is only ever tried wrong (a login holds for the whole process once it succeeds).
  token('strongroom-pin-test');
  settings = token('strongroom');
  expect(generatePkcs11Kek(settings)).toBe(true);
});

/** The token as a tool outside Strongroom sees it, logged in with the user PIN. */
function inspect(label: string) {
  const module = new pkcs11js.PKCS11();
  module.load(SOFTHSM_MODULE);
  try {
    module.C_Initialize();
  } catch (error) {
    if (!(error as Error).message.startsWith('CKR_CRYPTOKI_ALREADY_INITIALIZED')) throw error;
  }
  const slot = module.C_GetSlotList(true).find((s) => module.C_GetTokenInfo(s).label.trim() === settings.token)!;
  const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    module.C_Login(session, pkcs11js.CKU_USER, settings.pin);
  } catch (error) {
    if (!(error as Error).message.startsWith('CKR_USER_ALREADY_LOGGED_IN')) throw error;
  }
  module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
  const [key] = module.C_FindObjects(session, 1);
  module.C_FindObjectsFinal(session);
  return { module, session, key: key! };
}

describe('a key-encryption key in a PKCS#11 token (SoftHSMv2)', () => {
  it('is made sensitive and not extractable, and its bytes cannot be read out of the token', () => {
    expect(generatePkcs11Kek(settings)).toBe(false); // made once
    const { module, session, key } = inspect(settings.keyLabel);
    const [extractable, sensitive] = module.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_SENSITIVE }]).map((a) => (a.value as Buffer)[0]);
    expect([extractable, sensitive]).toEqual([0, 1]);
    expect(() => module.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
    // Nor wrapped out under another key: C_WrapKey refuses a key that is not extractable.
    const wrapping = module.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN, parameter: undefined as never }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES }, { type: pkcs11js.CKA_VALUE_LEN, value: 32 }, { type: pkcs11js.CKA_WRAP, value: true },
    ]);
    expect(() => module.C_WrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD, parameter: undefined as never }, wrapping, key, Buffer.alloc(64))).toThrow(/CKR_KEY_UNEXTRACTABLE|CKR_KEY_NOT_WRAPPABLE/);
  });

  it('wraps data keys inside the token, bound to what they belong to', async () => {
    const kek = openPkcs11Kek(settings);
    expect(kek).toMatchObject({ provider: 'pkcs11', id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(kek.bytes).toBeUndefined();
    const keyring = makeKeyring(kek);
    const dataKey = randomBytes(32);
    const wrapped = await wrapDataKey(keyring, row, dataKey);
    expect(wrapped.kekId).toBe(kek.id);
    expect((await unwrapDataKey(keyring, { ...row, ...wrapped })).equals(dataKey)).toBe(true);
    await expect(unwrapDataKey(keyring, { ...row, ...wrapped, organizationId: randomUUID() })).rejects.toThrow(IntegrityError);
    // The same key found again (a restart) has the same id and opens what it wrapped.
    expect((await unwrapDataKey(makeKeyring(openPkcs11Kek(settings)), { ...row, ...wrapped })).equals(dataKey)).toBe(true);
  });

  it('refuses, saying what to fix: a wrong PIN, a missing token or key, a key that could leave the token or is not AES-256', () => {
    const refused = (changes: Partial<Pkcs11Settings>) => {
      try {
        openPkcs11Kek({ ...settings, ...changes });
      } catch (error) {
        expect(error).toBeInstanceOf(KeyProviderError);
        return (error as Error).message;
      }
      return 'opened';
    };
    const wrongPin = refused({ token: 'strongroom-pin-test', pin: 'not-the-pin-4321' });
    expect(wrongPin).toMatch(/PIN of the PKCS#11 token "strongroom-pin-test" is wrong/);
    expect(wrongPin).not.toContain('not-the-pin-4321');
    expect(refused({ token: 'no-such-token' })).toMatch(/No PKCS#11 token labelled "no-such-token"/);
    expect(refused({ keyLabel: 'no-such-key' })).toMatch(/has no secret key labelled "no-such-key"/);
    expect(refused({ module: '/nonexistent/libpkcs11.so' })).toMatch(/cannot be loaded/);
    const { module, session } = inspect(settings.keyLabel);
    const make = (label: string, template: { type: number; value: unknown }[]) =>
      module.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN, parameter: undefined as never }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES }, { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: true }, { type: pkcs11js.CKA_DECRYPT, value: true }, { type: pkcs11js.CKA_LABEL, value: label }, ...(template as never[]),
      ]);
    make('extractable', [{ type: pkcs11js.CKA_VALUE_LEN, value: 32 }, { type: pkcs11js.CKA_SENSITIVE, value: true }, { type: pkcs11js.CKA_EXTRACTABLE, value: true }]);
    make('short', [{ type: pkcs11js.CKA_VALUE_LEN, value: 16 }, { type: pkcs11js.CKA_SENSITIVE, value: true }, { type: pkcs11js.CKA_EXTRACTABLE, value: false }]);
    make('twice', [{ type: pkcs11js.CKA_VALUE_LEN, value: 32 }]);
    make('twice', [{ type: pkcs11js.CKA_VALUE_LEN, value: 32 }]);
    expect(refused({ keyLabel: 'extractable' })).toMatch(/could leave the token/);
    expect(refused({ keyLabel: 'short' })).toMatch(/not an AES-256 key/);
    expect(refused({ keyLabel: 'twice' })).toMatch(/more than one key labelled "twice"/);
  });
});

describe.each(testDatabaseKinds())('moving the KEK between the environment and the token on %s', (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db.prisma, { demoPassword: 'not-used-here-123' });
  });
  afterAll(async () => db.close());

  it('env → pkcs11 → env: every secret opens at each step, and the audit checkpoints verify', async () => {
    const envKek = randomBytes(32);
    const entity = await db.prisma.legalEntity.findFirstOrThrow();
    // Opened as a freshly started process would: no data key remembered from before.
    const opened = async (keyring: Keyring, id: string) => {
      forgetDataKeys();
      return (await readSecrets(db.prisma, keyring, credentialOwner({ id, organizationId: entity.organizationId }), ['apiKey'])).apiKey;
    };
    const store = async (keyring: Keyring, apiKey: string) => {
      const made = await createCredential({ prisma: db.prisma, keyring }, { actor: { type: 'SYSTEM' }, organizationId: entity.organizationId, input: { legalEntityId: entity.id, profile: 'api-key', environment: 'SANDBOX', label: `custody ${randomUUID()}`, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey } } });
      if (!made.ok) throw new Error(made.error.message);
      return made.data.id;
    };
    const first = await store(makeKeyring(envKek), 'value-under-env-1234567890');
    await writeAuditCheckpoint(db.prisma, makeKeyring(envKek), { chain: entity.organizationId });

    const token = openPkcs11Kek(settings);
    const toToken = makeKeyring(token, [envKek]);
    expect(await rewrapDataKeys(db.prisma, toToken)).toBeGreaterThan(0);
    expect(await db.prisma.dataKey.count({ where: { kekId: { not: token.id } } })).toBe(0);
    expect(await db.prisma.auditSigningKey.count({ where: { kekId: { not: token.id } } })).toBe(0);
    const tokenOnly = makeKeyring(token);
    expect(await opened(tokenOnly, first)).toBe('value-under-env-1234567890');
    const second = await store(tokenOnly, 'value-under-token-1234567890');
    await writeAuditCheckpoint(db.prisma, tokenOnly, { chain: entity.organizationId });
    expect(await verifyAuditChain(db.prisma, { chain: entity.organizationId, publicKeys: await trustedAuditKeys(db.prisma, tokenOnly) })).toMatchObject({ ok: true });

    const back = randomBytes(32);
    expect(await rewrapDataKeys(db.prisma, makeKeyring(back, [token]))).toBeGreaterThan(0);
    const envOnly = makeKeyring(back);
    expect([await opened(envOnly, first), await opened(envOnly, second)]).toEqual(['value-under-env-1234567890', 'value-under-token-1234567890']);
    expect(await verifyAuditChain(db.prisma, { chain: entity.organizationId, publicKeys: await trustedAuditKeys(db.prisma, envOnly) })).toMatchObject({ ok: true });
    // Without the right key nothing opens.
    await expect(opened(makeKeyring(randomBytes(32)), first)).rejects.toThrow();
  });
});
