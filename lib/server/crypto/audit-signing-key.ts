import 'server-only';
import { createHash, createPrivateKey, createPublicKey, hkdfSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { now } from '@/lib/server/clock';
import { unwrapDataKey, wrapDataKey } from '@/lib/server/crypto/data-keys';
import type { Keyring } from '@/lib/server/crypto/keyring';
import type { PrismaClient } from '@/prisma/generated/client';

export interface AuditSigningKey {
  /** First 16 hex digits of SHA-256 of the raw 32-byte public key. */
  keyId: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

// PKCS#8 header of an Ed25519 private key; the 32-byte seed follows (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const fromSeed = (seed: Buffer): AuditSigningKey => {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { keyId: publicKeyId(publicKey), publicKey, privateKey };
};

/**
 * Until 5 December 2026 checkpoints were signed by a key derived from the KEK's bytes (HKDF-SHA256,
 * info "strongroom audit checkpoint v1"). Only to carry those keys into the table, so the
 * checkpoints they signed keep verifying once the KEK is gone or held in an HSM; nothing signs with them.
 */
function kekDerivedKey(kek: Buffer): AuditSigningKey {
  return fromSeed(Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'strongroom audit checkpoint v1', 32)));
}

/** The identity a signing key's seed is wrapped with (the data-key wrap format, its own purpose). */
export const auditSigningWrapIdentity = (keyId: string) => ({ id: keyId, organizationId: 'strongroom', purpose: 'AUDIT_SIGNING' });

const seedOf = (key: AuditSigningKey) => key.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);

const rowOf = async (keyring: Keyring, key: AuditSigningKey, retiredAt: Date | null) => ({
  id: key.keyId,
  publicKey: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  ...(await wrapDataKey(keyring, auditSigningWrapIdentity(key.keyId), seedOf(key))),
  retiredAt,
});

/** A stored key opened, if a configured KEK opens it and it is the key its id names. */
async function openStored(keyring: Keyring, row: { id: string; kekId: string; wrappedKey: string }): Promise<AuditSigningKey | null> {
  try {
    const key = fromSeed(await unwrapDataKey(keyring, { ...auditSigningWrapIdentity(row.id), kekId: row.kekId, wrappedKey: row.wrappedKey }));
    return key.keyId === row.id ? key : null;
  } catch {
    return null;
  }
}

/**
 * The key that signs new checkpoints: the newest stored key not retired. The first call of an
 * install makes one (random Ed25519) and keeps, retired, the KEK-derived keys that signed earlier
 * checkpoints. Two instances doing so at once make two keys; both are kept, the newer signs.
 */
export async function currentAuditSigningKey(prisma: PrismaClient, keyring: Keyring): Promise<AuditSigningKey> {
  const row = await prisma.auditSigningKey.findFirst({ where: { retiredAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], select: { id: true, kekId: true, wrappedKey: true } });
  if (row) {
    const key = await openStored(keyring, row);
    if (!key) throw new Error(`The audit signing key ${row.id} cannot be opened with the configured key-encryption keys.`);
    return key;
  }
  const derived = [...keyring.byId.values()].flatMap((kek) => (kek.bytes ? [kekDerivedKey(kek.bytes)] : []));
  const key = fromSeed(randomBytes(32));
  const rows = await Promise.all([...derived.map((old) => rowOf(keyring, old, now())), rowOf(keyring, key, null)]);
  await prisma.auditSigningKey.createMany({ data: rows, skipDuplicates: true });
  return key;
}

/**
 * The public keys checkpoints may be signed with: the stored keys a configured KEK opens (a row
 * written by someone without the KEK is not trusted), and the KEK-derived keys of before (stored or not).
 */
export async function trustedAuditKeys(prisma: PrismaClient, keyring: Keyring): Promise<Map<string, KeyObject>> {
  const rows = await prisma.auditSigningKey.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], select: { id: true, kekId: true, wrappedKey: true } });
  const keys = new Map<string, KeyObject>();
  for (const row of rows) {
    const key = await openStored(keyring, row);
    if (key) keys.set(key.keyId, key.publicKey);
  }
  for (const kek of keyring.byId.values()) {
    if (!kek.bytes) continue;
    const key = kekDerivedKey(kek.bytes);
    if (!keys.has(key.keyId)) keys.set(key.keyId, key.publicKey);
  }
  return keys;
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
