import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { openAwsKmsKek, type AwsKmsSettings } from '@/lib/server/crypto/aws-kms-kek';
import { DATA_KEY_CACHE_MS, forgetDataKeys, unwrapDataKey, wrapDataKey } from '@/lib/server/crypto/data-keys';
import { KeyProviderError, type KeyEncryptionKey } from '@/lib/server/crypto/key-encryption-key';
import { makeKeyring, type Keyring } from '@/lib/server/crypto/keyring';
import { rewrapDataKeys } from '@/lib/server/crypto/rewrap-data-keys';
import { readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { setClock } from '@/lib/server/clock';
import { openVaultTransitKek, type VaultTransitSettings } from '@/lib/server/crypto/vault-transit-kek';
import type { Database } from '@/lib/server/db/open-database';
import { parseKeyEnv } from '@/lib/server/env';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { startFakeKms, startFakeVault } from '@/lib/server/test-support/fake-key-services';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const row = () => ({ id: randomUUID(), organizationId: randomUUID(), purpose: 'DATA' });
const credentials = { accessKeyId: 'AKIAEXAMPLETESTKEY01', secretAccessKey: 'test-secret-access-key-not-real' };

let kms: Awaited<ReturnType<typeof startFakeKms>>;
let vault: Awaited<ReturnType<typeof startFakeVault>>;
let kmsSettings: AwsKmsSettings;
let vaultSettings: VaultTransitSettings;

beforeAll(async () => {
  kms = await startFakeKms();
  vault = await startFakeVault();
  // A short timeout, so a hanging service is given up on quickly here (5 s in use).
  kmsSettings = { keyId: kms.keyArn, region: 'eu-west-1', endpoint: kms.url, credentials, timeoutMs: 300 };
  vaultSettings = { address: vault.url, mount: 'transit', keyName: 'strongroom', login: { token: 'hvs.test-root-token' }, timeoutMs: 300 };
});
afterAll(async () => {
  await kms.close();
  await vault.close();
});

/** What a provider says when it fails, checked for the secrets it must not repeat. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KeyProviderError);
  const message = (error as Error).message;
  for (const secret of [credentials.secretAccessKey, 'hvs.test-root-token', 'secret-1']) expect(message).not.toContain(secret);
  return message;
}

describe.each([
  ['aws-kms', () => openAwsKmsKek(kmsSettings), () => kms],
  ['vault-transit', () => openVaultTransitKek(vaultSettings), () => vault],
] as const)('a key-encryption key in %s (a loopback server speaking its protocol)', (provider, open, service) => {
  it('wraps and unwraps data keys through the service, bound to organization, key and purpose', async () => {
    const kek = open();
    expect(kek).toMatchObject({ provider, id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(kek.bytes).toBeUndefined();
    await kek.check();
    const keyring = makeKeyring(kek);
    const identity = row();
    const dataKey = randomBytes(32);
    const wrapped = await wrapDataKey(keyring, identity, dataKey);
    expect(wrapped.wrappedKey).not.toContain(dataKey.toString('base64url'));
    expect((await unwrapDataKey(keyring, { ...identity, ...wrapped })).equals(dataKey)).toBe(true);
    await expect(unwrapDataKey(keyring, { ...identity, ...wrapped, organizationId: randomUUID() })).rejects.toThrow(IntegrityError);
    await expect(unwrapDataKey(keyring, { ...identity, ...wrapped, id: randomUUID() })).rejects.toThrow(IntegrityError);
    await expect(unwrapDataKey(keyring, { ...identity, ...wrapped, purpose: 'FINGERPRINT' })).rejects.toThrow(IntegrityError);
    // A restarted process (a new client) opens what the last one wrapped.
    expect((await unwrapDataKey(makeKeyring(open()), { ...identity, ...wrapped })).equals(dataKey)).toBe(true);
  });

  it.each(['hang', 'garbage', 'error'] as const)('fails closed and clearly when the service does "%s", and works again when it is back', async (mode) => {
    const kek = open();
    const identity = row();
    const wrapped = await wrapDataKey(makeKeyring(kek), identity, randomBytes(32));
    service().mode = mode;
    try {
      const message = await refusal(unwrapDataKey(makeKeyring(kek), { ...identity, ...wrapped }));
      expect(message).toMatch(mode === 'hang' ? /did not answer within 0.3 s/ : /refused|not (KMS|a 32-byte key|a transit)|cannot be reached|answered/);
      await refusal(kek.wrap(randomBytes(32), { organizationId: identity.organizationId, keyId: identity.id, purpose: 'DATA' }));
      await refusal(kek.check());
    } finally {
      service().mode = 'ok';
    }
    expect((await unwrapDataKey(makeKeyring(kek), { ...identity, ...wrapped })).length).toBe(32);
  });
});

describe('unwrapped data keys in memory', () => {
  it('serve for DATA_KEY_CACHE_MS after the provider went away, and not a moment longer', async () => {
    let at = Date.UTC(2026, 11, 5, 12);
    const restore = setClock(() => at);
    const db = await openTestDatabase('pglite');
    try {
      const keyring = makeKeyring(openVaultTransitKek(vaultSettings));
      const organization = await db.prisma.organization.create({ data: { name: 'Cached', slug: `cached-${randomUUID().slice(0, 6)}` } });
      const owner = { organizationId: organization.id, ownerTable: 'Credential', ownerId: randomUUID() };
      await writeSecret(db.prisma, keyring, owner, 'apiKey', 'cached-value-1234567890');
      vault.mode = 'error';
      at += DATA_KEY_CACHE_MS - 1;
      expect(await readSecrets(db.prisma, keyring, owner, ['apiKey'])).toEqual({ apiKey: 'cached-value-1234567890' });
      at += 1;
      await expect(readSecrets(db.prisma, keyring, owner, ['apiKey'])).rejects.toThrow(KeyProviderError);
      vault.mode = 'ok';
      expect(await readSecrets(db.prisma, keyring, owner, ['apiKey'])).toEqual({ apiKey: 'cached-value-1234567890' });
    } finally {
      vault.mode = 'ok';
      restore();
      await db.close();
    }
  });
});

describe('AWS KMS specifics', () => {
  it('signs every call (SigV4 for kms) and sends the encryption context KMS logs', async () => {
    const kek = openAwsKmsKek(kmsSettings);
    const identity = row();
    kms.calls.length = 0;
    await wrapDataKey(makeKeyring(kek), identity, randomBytes(32));
    expect(kms.calls).toEqual([
      {
        operation: 'Encrypt',
        authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLETESTKEY01\/\d{8}\/eu-west-1\/kms\/aws4_request, /),
        context: { format: 'kw1', organization: identity.organizationId, key: identity.id, purpose: 'DATA' },
      },
    ]);
  });

  it('refuses a key that is not a symmetric encryption key, and an unknown key, saying which', async () => {
    const signing = await startFakeKms({ keySpec: 'ECC_NIST_P256' });
    try {
      expect(await refusal(openAwsKmsKek({ ...kmsSettings, endpoint: signing.url, keyId: signing.keyArn }).check())).toMatch(/is ECC_NIST_P256 for SIGN_VERIFY; a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT is needed/);
    } finally {
      await signing.close();
    }
    expect(await refusal(openAwsKmsKek({ ...kmsSettings, keyId: 'arn:aws:kms:eu-west-1:111122223333:key/none' }).check())).toMatch(/refused the key .*NotFoundException/);
  });

  it('says the service cannot be reached when nothing listens', async () => {
    const gone = await startFakeKms();
    await gone.close();
    expect(await refusal(openAwsKmsKek({ ...kmsSettings, endpoint: gone.url }).check())).toMatch(/cannot be reached/);
  });
});

describe('Vault transit specifics', () => {
  it('logs in with an AppRole, and again when its token has expired', async () => {
    const kek = openVaultTransitKek({ ...vaultSettings, login: { roleId: 'role-1', secretId: 'secret-1' } });
    const identity = row();
    const wrapped = await wrapDataKey(makeKeyring(kek), identity, randomBytes(32));
    vault.expireTokens();
    vault.calls.length = 0;
    expect((await unwrapDataKey(makeKeyring(kek), { ...identity, ...wrapped })).length).toBe(32);
    expect(vault.calls.map((call) => call.operation)).toEqual(['POST transit/decrypt/strongroom', 'POST auth/approle/login', 'POST transit/decrypt/strongroom']);
    expect(await refusal(openVaultTransitKek({ ...vaultSettings, login: { roleId: 'role-1', secretId: 'wrong' } }).check())).toMatch(/refused the AppRole login/);
  });

  it('refuses a transit key that cannot encrypt (an RSA or ed25519 key) and a token without access', async () => {
    const signing = await startFakeVault({ keyType: 'ed25519' });
    try {
      expect(await refusal(openVaultTransitKek({ ...vaultSettings, address: signing.url }).check())).toMatch(/is of type ed25519; an aes256-gcm96 key/);
    } finally {
      await signing.close();
    }
    expect(await refusal(openVaultTransitKek({ ...vaultSettings, login: { token: 'hvs.not-a-token' } }).check())).toMatch(/refused the transit key transit\/strongroom \(HTTP 403: permission denied\)/);
  });
});

describe('the settings', () => {
  it('reads each provider from the environment, secrets from a file if given, and says what is missing', () => {
    const kek = randomBytes(32).toString('base64');
    expect(parseKeyEnv({ STRONGROOM_KEY_PROVIDER: 'aws-kms', STRONGROOM_AWS_KMS_KEY_ID: 'arn:x', STRONGROOM_AWS_KMS_REGION: 'eu-west-1', STRONGROOM_KEK: kek }).awsKms).toEqual({ keyId: 'arn:x', region: 'eu-west-1' });
    expect(parseKeyEnv({ STRONGROOM_KEY_PROVIDER: 'vault-transit', STRONGROOM_VAULT_ADDR: 'https://vault.internal:8200', STRONGROOM_VAULT_TRANSIT_KEY: 'sr', STRONGROOM_VAULT_ROLE_ID: 'r', STRONGROOM_VAULT_SECRET_ID: 's' }).vault).toEqual({
      address: 'https://vault.internal:8200',
      mount: 'transit',
      keyName: 'sr',
      login: { roleId: 'r', secretId: 's' },
    });
    expect(() => parseKeyEnv({ STRONGROOM_KEY_PROVIDER: 'aws-kms' })).toThrow(/STRONGROOM_AWS_KMS_KEY_ID is missing.*STRONGROOM_AWS_KMS_REGION is missing/);
    expect(() => parseKeyEnv({ STRONGROOM_KEY_PROVIDER: 'vault-transit', STRONGROOM_VAULT_ADDR: 'https://v', STRONGROOM_VAULT_TRANSIT_KEY: 'k' })).toThrow(/STRONGROOM_VAULT_TOKEN \(or _TOKEN_FILE\), or STRONGROOM_VAULT_ROLE_ID/);
    expect(() => parseKeyEnv({ STRONGROOM_KEY_PROVIDER: 'gcp' })).toThrow(/must be env, pkcs11, aws-kms or vault-transit/);
    expect(() => parseKeyEnv({ STRONGROOM_KEY_PROVIDER: 'vault-transit', STRONGROOM_VAULT_ADDR: 'https://v', STRONGROOM_VAULT_TRANSIT_KEY: 'k', STRONGROOM_VAULT_TOKEN_FILE: '/nonexistent/token' })).toThrow(/STRONGROOM_VAULT_TOKEN_FILE cannot be read \(ENOENT\)/);
  });
});

describe.each(testDatabaseKinds())('moving the KEK between providers on %s', (kind) => {
  let db: Database;
  let entity: { id: string; organizationId: string };
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db.prisma, { demoPassword: 'not-used-here-123' });
    entity = await db.prisma.legalEntity.findFirstOrThrow();
  });
  afterAll(async () => db.close());

  const store = async (keyring: Keyring, apiKey: string) => {
    const made = await createCredential({ prisma: db.prisma, keyring }, { actor: { type: 'SYSTEM' }, organizationId: entity.organizationId, input: { legalEntityId: entity.id, profile: 'api-key', environment: 'SANDBOX', label: `custody ${randomUUID()}`, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey } } });
    if (!made.ok) throw new Error(made.error.message);
    return made.data.id;
  };
  // Opened as a freshly started process would: no data key remembered from before.
  const opened = async (keyring: Keyring, id: string) => {
    forgetDataKeys();
    return (await readSecrets(db.prisma, keyring, credentialOwner({ id, organizationId: entity.organizationId }), ['apiKey'])).apiKey;
  };

  // The key the organization's data keys are under after each test.
  let last: KeyEncryptionKey;

  it('env → aws-kms → vault-transit → env: every secret opens at each step', async () => {
    const first = randomBytes(32);
    const a = await store(makeKeyring(first), 'value-under-env-1234567890');
    const steps: KeyEncryptionKey[] = [openAwsKmsKek(kmsSettings), openVaultTransitKek(vaultSettings)];
    let previous: KeyEncryptionKey = makeKeyring(first).current;
    const ids = [a];
    for (const next of [...steps, makeKeyring(randomBytes(32)).current]) {
      expect(await rewrapDataKeys(db.prisma, makeKeyring(next, [previous]))).toBeGreaterThan(0);
      expect(await db.prisma.dataKey.count({ where: { kekId: { not: next.id } } })).toBe(0);
      const only = makeKeyring(next);
      for (const id of ids) expect(await opened(only, id)).toMatch(/^value-under-/);
      ids.push(await store(only, `value-under-${next.provider}-1234567890`));
      previous = next;
    }
    last = previous;
    // Nothing needs the services any more: they can be retired.
    expect(await db.prisma.dataKey.count({ where: { kekId: { in: steps.map((kek) => kek.id) } } })).toBe(0);
  });

  it('a provider that went away: the use is refused with KeyProviderError (503), the credential is not marked damaged', async () => {
    const keyring = makeKeyring(openVaultTransitKek(vaultSettings));
    await rewrapDataKeys(db.prisma, makeKeyring(keyring.current, [last]));
    const id = await store(keyring, 'value-under-vault-1234567890');
    forgetDataKeys();
    vault.mode = 'error';
    try {
      await expect(openCredentialForUse({ prisma: db.prisma, keyring }, { credentialId: id, fields: ['apiKey'], actor: { type: 'SYSTEM' }, purpose: 'test' })).rejects.toThrow(KeyProviderError);
    } finally {
      vault.mode = 'ok';
    }
    const credential = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    expect(credential.status).toBe('ACTIVE');
    expect(await db.prisma.auditEvent.count({ where: { action: 'credential.integrity_failure', targetId: id } })).toBe(0);
    const used = await openCredentialForUse({ prisma: db.prisma, keyring }, { credentialId: id, fields: ['apiKey'], actor: { type: 'SYSTEM' }, purpose: 'test' });
    expect(used).toMatchObject({ ok: true, data: { secrets: { apiKey: 'value-under-vault-1234567890' } } });
  });
});
