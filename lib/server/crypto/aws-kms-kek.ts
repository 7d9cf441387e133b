import 'server-only';
import { createHash } from 'node:crypto';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, KMSServiceException, type KMSClientConfig } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { KeyProviderError, type KeyEncryptionKey, type WrapContext } from '@/lib/server/crypto/key-encryption-key';

/** Which KMS key, where: its ARN (an alias can be repointed, so the ARN is what is trusted), region, and an endpoint for a VPC endpoint. */
export interface AwsKmsSettings {
  keyId: string;
  region: string;
  endpoint?: string;
  /** Only for tests: production uses the SDK's own chain (AWS_* variables, a profile file, the instance's role). */
  credentials?: KMSClientConfig['credentials'];
  /** How long a call may take (KMS_TIMEOUT_MS unless a test shortens it). */
  timeoutMs?: number;
}

/** A call that takes longer is abandoned: a hanging KMS must not hold a request for minutes. */
export const KMS_TIMEOUT_MS = 5_000;

/** KMS's encryption context: logged by CloudTrail next to each call, so it names what is unwrapped, never a value. */
const encryptionContext = (context: WrapContext) => ({ format: 'kw1', organization: context.organizationId, key: context.keyId, purpose: context.purpose });

function explain(error: unknown, settings: AwsKmsSettings, timeoutMs: number): Error {
  if (error instanceof KMSServiceException) {
    // The key exists and answered, but this ciphertext is not one it made for this context.
    if (error.name === 'InvalidCiphertextException' || error.name === 'IncorrectKeyException') return new IntegrityError('ciphertext failed authentication');
    return new KeyProviderError(`AWS KMS refused the key ${settings.keyId}: ${error.name}${error.message ? ` (${error.message.slice(0, 200)})` : ''}`);
  }
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new KeyProviderError(`AWS KMS did not answer within ${timeoutMs / 1000} s.`);
  return new KeyProviderError(`AWS KMS cannot be reached or answered something that is not KMS: ${(error as Error)?.message?.slice(0, 200) ?? String(error)}`);
}

/**
 * The key-encryption key as a symmetric AWS KMS key: data keys are sealed by KMS Encrypt and opened
 * by Decrypt, each with an encryption context that binds the organization, the data key's id and its
 * purpose, so a wrapped key moved to another row does not open. The key never leaves KMS.
 */
export function openAwsKmsKek(settings: AwsKmsSettings): KeyEncryptionKey {
  const timeoutMs = settings.timeoutMs ?? KMS_TIMEOUT_MS;
  const client = new KMSClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({ connectionTimeout: timeoutMs, requestTimeout: timeoutMs }),
  });
  const send = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw explain(error, settings, timeoutMs);
    }
  };
  const bytes = (value: Uint8Array | undefined, what: string): Buffer => {
    if (!(value instanceof Uint8Array) || value.length === 0) throw new KeyProviderError(`AWS KMS answered without ${what}.`);
    return Buffer.from(value);
  };
  return {
    id: createHash('sha256').update(`strongroom aws-kms kek\0${settings.keyId}`).digest('hex').slice(0, 16),
    provider: 'aws-kms',
    async wrap(plaintext, context) {
      const answer = await send(() => client.send(new EncryptCommand({ KeyId: settings.keyId, Plaintext: plaintext, EncryptionContext: encryptionContext(context) }), { abortSignal: AbortSignal.timeout(timeoutMs) }));
      return { nonce: Buffer.alloc(0), sealed: bytes(answer.CiphertextBlob, 'a ciphertext') };
    },
    async unwrap(nonce, sealed, context) {
      if (nonce.length !== 0 || sealed.length === 0) throw new IntegrityError('malformed ciphertext');
      const answer = await send(() =>
        client.send(new DecryptCommand({ KeyId: settings.keyId, CiphertextBlob: sealed, EncryptionContext: encryptionContext(context) }), { abortSignal: AbortSignal.timeout(timeoutMs) }),
      );
      const plaintext = bytes(answer.Plaintext, 'the key');
      if (plaintext.length !== 32) throw new KeyProviderError('AWS KMS answered a key of the wrong length.');
      return plaintext;
    },
    async check() {
      const { KeyMetadata: key } = await send(() => client.send(new DescribeKeyCommand({ KeyId: settings.keyId }), { abortSignal: AbortSignal.timeout(timeoutMs) }));
      if (!key) throw new KeyProviderError('AWS KMS answered DescribeKey without the key.');
      if (key.KeySpec !== 'SYMMETRIC_DEFAULT' || key.KeyUsage !== 'ENCRYPT_DECRYPT') {
        throw new KeyProviderError(`The KMS key ${settings.keyId} is ${key.KeySpec ?? 'of an unknown spec'} for ${key.KeyUsage ?? 'an unknown use'}; a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT is needed.`);
      }
      if (key.KeyState !== 'Enabled') throw new KeyProviderError(`The KMS key ${settings.keyId} is ${key.KeyState ?? 'not enabled'}.`);
    },
  };
}
