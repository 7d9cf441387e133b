import 'server-only';
import { decrypt, encrypt, IntegrityError } from '@/lib/server/crypto/aes-gcm';

/**
 * Where a sealed value belongs. All of it is bound into the ciphertext as AAD, so a value copied to
 * another organization, row or field does not open.
 */
export interface SealContext {
  organizationId: string;
  table: string;
  rowId: string;
  field: string;
}

const FORMAT = 'sr1';

const aadFor = (dataKeyId: string, c: SealContext) =>
  Buffer.from([FORMAT, c.organizationId, dataKeyId, c.table, c.rowId, c.field].join('|'), 'utf8');

/** "sr1.<dataKeyId>.<nonce>.<ciphertext‖tag>" (base64url): see README "Sealed values". */
export function sealString(dataKey: { id: string; key: Buffer }, context: SealContext, plaintext: string): string {
  const { nonce, sealed } = encrypt(dataKey.key, Buffer.from(plaintext, 'utf8'), aadFor(dataKey.id, context));
  return [FORMAT, dataKey.id, nonce.toString('base64url'), sealed.toString('base64url')].join('.');
}

/** The data key id a sealed string names (to look the key up before opening). */
export function sealedDataKeyId(sealed: string): string {
  const [format, dataKeyId] = sealed.split('.');
  if (format !== FORMAT || !dataKeyId) throw new IntegrityError('not a sealed value of a known format');
  return dataKeyId;
}

export function openString(dataKey: { id: string; key: Buffer }, context: SealContext, sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT || parts[1] !== dataKey.id) {
    throw new IntegrityError('sealed value does not name this data key');
  }
  const plaintext = decrypt(dataKey.key, strictBase64url(parts[2]!), strictBase64url(parts[3]!), aadFor(dataKey.id, context));
  return plaintext.toString('utf8');
}

/** Node's decoder skips stray characters and spare bits; a sealed value must be canonical to the byte. */
export function strictBase64url(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new IntegrityError('sealed value is not canonical base64url');
  return bytes;
}
