import 'server-only';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { KeyProviderError, wrapAad, type KeyEncryptionKey } from '@/lib/server/crypto/key-encryption-key';

/** Which transit key, where, and how to log in: a token, or an AppRole (role id and secret id). */
export interface VaultTransitSettings {
  address: string;
  mount: string;
  keyName: string;
  login: { token: string } | { roleId: string; secretId: string };
  /** How long a call may take (VAULT_TIMEOUT_MS unless a test shortens it). */
  timeoutMs?: number;
}

/** A call that takes longer is abandoned: a hanging Vault must not hold a request for minutes. */
export const VAULT_TIMEOUT_MS = 5_000;

const ZCiphertext = z.object({ data: z.object({ ciphertext: z.string().regex(/^vault:v\d+:[A-Za-z0-9+/=]+$/) }) });
const ZPlaintext = z.object({ data: z.object({ plaintext: z.base64() }) });
const ZKey = z.object({ data: z.object({ type: z.string(), supports_encryption: z.boolean().optional(), supports_decryption: z.boolean().optional() }) });
const ZLogin = z.object({ auth: z.object({ client_token: z.string().min(1) }) });

/**
 * The key-encryption key as a HashiCorp Vault (or OpenBao) Transit key of type aes256-gcm96: data keys
 * are sealed by `encrypt` and opened by `decrypt` with the wrap's context as associated data. The key
 * never leaves Vault. The server is the operator's own, so it is reached directly (not through the
 * outbound guard that keeps webhooks off private addresses).
 */
export function openVaultTransitKek(settings: VaultTransitSettings): KeyEncryptionKey {
  const base = settings.address.replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? VAULT_TIMEOUT_MS;
  let token = 'token' in settings.login ? settings.login.token : null;

  async function call(method: 'GET' | 'POST', path: string, body: unknown, retryLogin = true): Promise<{ status: number; json: unknown }> {
    if (!token && 'roleId' in settings.login) token = await logIn(settings.login);
    let response: Response;
    try {
      response = await fetch(`${base}/v1/${path}`, {
        method,
        headers: { 'X-Vault-Token': token ?? '', ...(body ? { 'Content-Type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      throw new KeyProviderError(name === 'TimeoutError' ? `Vault did not answer within ${timeoutMs / 1000} s.` : `Vault at ${base} cannot be reached.`);
    }
    const json: unknown = await response.json().catch(() => null);
    // An AppRole token that expired: log in again, once.
    if (response.status === 403 && retryLogin && 'roleId' in settings.login) {
      token = null;
      return call(method, path, body, false);
    }
    return { status: response.status, json };
  }

  async function logIn(login: { roleId: string; secretId: string }): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${base}/v1/auth/approle/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ role_id: login.roleId, secret_id: login.secretId }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new KeyProviderError(`Vault at ${base} cannot be reached to log in.`);
    }
    const parsed = ZLogin.safeParse(await response.json().catch(() => null));
    if (!response.ok || !parsed.success) throw new KeyProviderError(`Vault refused the AppRole login (HTTP ${response.status}).`);
    return parsed.data.auth.client_token;
  }

  const refused = (status: number, json: unknown) => {
    const errors = (json as { errors?: unknown })?.errors;
    const said = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string').join('; ').slice(0, 200) : '';
    return new KeyProviderError(`Vault refused the transit key ${settings.mount}/${settings.keyName} (HTTP ${status}${said ? `: ${said}` : ''}).`);
  };
  const keyPath = (operation: string) => `${settings.mount}/${operation}/${encodeURIComponent(settings.keyName)}`;

  return {
    id: createHash('sha256').update(`strongroom vault-transit kek\0${settings.mount}\0${settings.keyName}`).digest('hex').slice(0, 16),
    provider: 'vault-transit',
    async wrap(plaintext, context) {
      const { status, json } = await call('POST', keyPath('encrypt'), { plaintext: plaintext.toString('base64'), associated_data: wrapAad(context).toString('base64') });
      if (status !== 200) throw refused(status, json);
      const parsed = ZCiphertext.safeParse(json);
      if (!parsed.success) throw new KeyProviderError('Vault answered encrypt with something that is not a transit ciphertext.');
      return { nonce: Buffer.alloc(0), sealed: Buffer.from(parsed.data.data.ciphertext, 'utf8') };
    },
    async unwrap(nonce, sealed, context) {
      const ciphertext = sealed.toString('utf8');
      if (nonce.length !== 0 || !/^vault:v\d+:/.test(ciphertext)) throw new IntegrityError('malformed ciphertext');
      const { status, json } = await call('POST', keyPath('decrypt'), { ciphertext, associated_data: wrapAad(context).toString('base64') });
      // Vault answers 400 for a ciphertext that does not authenticate under this key and context.
      if (status === 400) throw new IntegrityError('ciphertext failed authentication');
      if (status !== 200) throw refused(status, json);
      const parsed = ZPlaintext.safeParse(json);
      const key = parsed.success ? Buffer.from(parsed.data.data.plaintext, 'base64') : null;
      if (!key || key.length !== 32) throw new KeyProviderError('Vault answered decrypt with something that is not a 32-byte key.');
      return key;
    },
    async check() {
      const { status, json } = await call('GET', `${settings.mount}/keys/${encodeURIComponent(settings.keyName)}`, null);
      if (status !== 200) throw refused(status, json);
      const parsed = ZKey.safeParse(json);
      if (!parsed.success) throw new KeyProviderError('Vault answered with something that is not a transit key.');
      const key = parsed.data.data;
      if (key.type !== 'aes256-gcm96' || key.supports_encryption === false || key.supports_decryption === false) {
        throw new KeyProviderError(`The transit key ${settings.mount}/${settings.keyName} is of type ${key.type}; an aes256-gcm96 key that encrypts and decrypts is needed.`);
      }
    },
  };
}
