import 'server-only';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decrypt, encrypt, IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { listen, type TestServer } from '@/lib/server/test-support/test-servers';

/**
 * How a fake key service behaves: `ok`; `hang` (accepts, never answers); `garbage` (answers 200 with
 * something that is not the protocol); `error` (answers 500).
 */
export type FakeMode = 'ok' | 'hang' | 'garbage' | 'error';

interface FakeKeyService extends TestServer {
  /** What the service is doing now; set it to make it misbehave. */
  mode: FakeMode;
  /** Every call, as the service saw it (method or target, and headers that matter). */
  calls: { operation: string; authorization?: string; context?: unknown }[];
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}

const send = (res: ServerResponse, status: number, json: unknown, type = 'application/json') => {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(json));
};

/** Binds the context to the ciphertext the way KMS does: the same pairs, in any order. */
const canonical = (context: unknown) => Buffer.from(JSON.stringify(Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b))));

/**
 * A loopback server speaking the AWS KMS JSON protocol (X-Amz-Target TrentService.*) for Encrypt,
 * Decrypt and DescribeKey: it refuses a call without a SigV4 Authorization header for service `kms`,
 * seals with real AES-256-GCM under a key of its own, and binds the encryption context as AAD, so a
 * wrong context fails as KMS's does (InvalidCiphertextException). `keySpec` makes the key of another
 * type. It is not AWS: it shows the client's calls and Strongroom's handling, not AWS's behaviour.
 */
export async function startFakeKms({ keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', keySpec = 'SYMMETRIC_DEFAULT' } = {}) {
  const key = randomBytes(32);
  const state: { mode: FakeMode; calls: FakeKeyService['calls'] } = { mode: 'ok', calls: [] };
  const error = (res: ServerResponse, type: string, message: string, status = 400) => send(res, status, { __type: type, message }, 'application/x-amz-json-1.1');
  const server = await listen(async (req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
    const input = (await body(req)) as Record<string, unknown> | null;
    const authorization = req.headers.authorization;
    state.calls.push({ operation, ...(authorization ? { authorization } : {}), context: input?.EncryptionContext });
    if (state.mode === 'hang') return; // never answers
    if (state.mode === 'error') return send(res, 500, { __type: 'KMSInternalException', message: 'internal' });
    if (state.mode === 'garbage') return send(res, 200, { surprise: true }, 'application/x-amz-json-1.1');
    if (!/^AWS4-HMAC-SHA256 Credential=[A-Z0-9]+\/\d{8}\/[a-z0-9-]+\/kms\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/.test(authorization ?? '')) {
      return error(res, 'MissingAuthenticationTokenException', 'Request is missing a SigV4 signature', 403);
    }
    if (!input || (input.KeyId !== keyArn && operation !== 'Decrypt')) return error(res, 'NotFoundException', `Key '${String(input?.KeyId)}' does not exist`);
    if (operation === 'DescribeKey') {
      return send(res, 200, { KeyMetadata: { Arn: keyArn, KeyId: keyArn.split('/').pop(), KeySpec: keySpec, KeyUsage: keySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY', KeyState: 'Enabled', Enabled: true } });
    }
    if (keySpec !== 'SYMMETRIC_DEFAULT') return error(res, 'InvalidKeyUsageException', 'This key cannot encrypt');
    if (operation === 'Encrypt' && typeof input.Plaintext === 'string') {
      const { nonce, sealed } = encrypt(key, Buffer.from(input.Plaintext, 'base64'), canonical(input.EncryptionContext));
      return send(res, 200, { CiphertextBlob: Buffer.concat([nonce, sealed]).toString('base64'), KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    }
    if (operation === 'Decrypt' && typeof input.CiphertextBlob === 'string') {
      const blob = Buffer.from(input.CiphertextBlob, 'base64');
      try {
        const plaintext = decrypt(key, blob.subarray(0, 12), blob.subarray(12), canonical(input.EncryptionContext));
        return send(res, 200, { Plaintext: plaintext.toString('base64'), KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      } catch (failure) {
        if (failure instanceof IntegrityError) return error(res, 'InvalidCiphertextException', '');
        throw failure;
      }
    }
    return error(res, 'UnknownOperationException', operation);
  });
  return Object.assign(state, { url: server.url, close: server.close, keyArn }) satisfies FakeKeyService & { keyArn: string };
}

/**
 * A loopback server speaking Vault's Transit API for one aes256-gcm96 key (or `keyType`): encrypt and
 * decrypt with `associated_data`, read the key, and the AppRole login. It checks X-Vault-Token, seals
 * with real AES-256-GCM, and answers 400 for a ciphertext that does not authenticate, as Vault does.
 * `expireTokens()` makes issued AppRole tokens stale (403) to show the client logs in again.
 */
export async function startFakeVault({ mount = 'transit', keyName = 'strongroom', rootToken = 'hvs.test-root-token', keyType = 'aes256-gcm96', roleId = 'role-1', secretId = 'secret-1' } = {}) {
  const key = randomBytes(32);
  const tokens = new Set([rootToken]);
  const state: { mode: FakeMode; calls: FakeKeyService['calls'] } = { mode: 'ok', calls: [] };
  const server = await listen(async (req, res) => {
    const path = (req.url ?? '').replace(/^\/v1\//, '');
    const input = (await body(req)) as Record<string, unknown> | null;
    state.calls.push({ operation: `${req.method} ${path}` });
    if (state.mode === 'hang') return;
    if (state.mode === 'error') return send(res, 500, { errors: ['internal error'] });
    if (state.mode === 'garbage') return send(res, 200, { data: { nonsense: 1 } });
    if (path === 'auth/approle/login') {
      if (input?.role_id !== roleId || input?.secret_id !== secretId) return send(res, 400, { errors: ['invalid role or secret ID'] });
      const issued = `hvs.approle-${randomBytes(8).toString('hex')}`;
      tokens.add(issued);
      return send(res, 200, { auth: { client_token: issued, lease_duration: 3600 } });
    }
    if (!tokens.has(String(req.headers['x-vault-token'] ?? ''))) return send(res, 403, { errors: ['permission denied'] });
    if (path === `${mount}/keys/${keyName}`) return send(res, 200, { data: { name: keyName, type: keyType, supports_encryption: keyType.includes('gcm') || keyType.includes('chacha'), supports_decryption: true, exportable: false } });
    const aad = Buffer.from(typeof input?.associated_data === 'string' ? input.associated_data : '', 'base64');
    if (path === `${mount}/encrypt/${keyName}` && typeof input?.plaintext === 'string') {
      const { nonce, sealed } = encrypt(key, Buffer.from(input.plaintext, 'base64'), aad);
      return send(res, 200, { data: { ciphertext: `vault:v1:${Buffer.concat([nonce, sealed]).toString('base64')}`, key_version: 1 } });
    }
    if (path === `${mount}/decrypt/${keyName}` && typeof input?.ciphertext === 'string') {
      const blob = Buffer.from(input.ciphertext.replace(/^vault:v1:/, ''), 'base64');
      try {
        return send(res, 200, { data: { plaintext: decrypt(key, blob.subarray(0, 12), blob.subarray(12), aad).toString('base64') } });
      } catch {
        return send(res, 400, { errors: ['cipher: message authentication failed'] });
      }
    }
    return send(res, 404, { errors: [] });
  });
  return Object.assign(state, {
    url: server.url,
    close: server.close,
    expireTokens: () => {
      for (const token of tokens) if (token !== rootToken) tokens.delete(token);
    },
  }) satisfies FakeKeyService & { expireTokens(): void };
}
