import 'server-only';
import { createHash, createPrivateKey, createPublicKey, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Keyring } from '@/lib/server/crypto/keyring';

export interface AuditSigningKey {
  /** First 16 hex digits of SHA-256 of the raw 32-byte public key. */
  keyId: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

// PKCS#8 header of an Ed25519 private key; the 32-byte seed follows (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The Ed25519 key that signs audit checkpoints, derived from a KEK with HKDF-SHA256 (info
 * "strongroom audit checkpoint v1"): nothing more to keep, and it rotates with the KEK. Only the
 * public key ever leaves (for auditors), and it cannot lead back to the KEK.
 */
export function auditSigningKey(kek: Buffer): AuditSigningKey {
  const seed = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'strongroom audit checkpoint v1', 32));
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { keyId: publicKeyId(publicKey), publicKey, privateKey };
}

/** The signing keys of every configured KEK, current first: older checkpoints verify after a rotation. */
export function auditSigningKeys(keyring: Keyring): AuditSigningKey[] {
  return [...keyring.byId.values()].map((kek) => auditSigningKey(kek.key));
}

export function publicKeyId(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/** The bytes a checkpoint's signature covers. */
export function checkpointMessage({ chain, seq, hash, signedAt }: { chain: string; seq: bigint | string; hash: string; signedAt: Date | string }): Buffer {
  const at = typeof signedAt === 'string' ? signedAt : signedAt.toISOString();
  return Buffer.from(`strongroom-audit-checkpoint/1\n${chain}\n${seq}\n${hash}\n${at}`, 'utf8');
}

export const signCheckpoint = (key: AuditSigningKey, message: Buffer) => sign(null, message, key.privateKey).toString('base64');

export const checkSignature = (publicKey: KeyObject, message: Buffer, signature: string) => verify(null, message, publicKey, Buffer.from(signature, 'base64'));
