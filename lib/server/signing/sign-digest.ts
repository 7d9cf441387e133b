import 'server-only';
import { constants, createHash, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { profileDefinition } from '@/lib/schemas/credential-profiles';
import { SIGN_ALGORITHMS, type TSignAlgorithm, type TSignRequest } from '@/lib/schemas/signing';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { openCertificateKey } from '@/lib/server/credentials/open-certificate-key';
import { openedMemory } from '@/lib/server/credentials/opened-memory';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/** A credential's key, opened once per version and kept in this process's memory only (opened-memory.ts). */
interface SigningKey {
  key: KeyObject;
  /** The EC private scalar, for the ECDSA primitive that signs a digest as it is. */
  scalar: Uint8Array | null;
  certificatePem: string;
  version: number;
}

// A revoked or deleted credential never reaches this memory (the service API's principal check
// refuses it first), and its entries are dropped as soon as its change is heard of.
const keys = openedMemory<SigningKey>('sign');

const EC_CURVES: Record<string, string> = { prime256v1: 'P-256', secp256k1: 'secp256k1', secp384r1: 'P-384' };
const ECDSA = { 'P-256': p256, secp256k1, 'P-384': p384 } as const;

export interface Signature {
  algorithm: TSignAlgorithm;
  signature: Buffer;
  p1363: Buffer | null;
  certificatePem: string;
  version: number;
}

/**
 * Signs a digest with a credential's private key for the signing API: the profile must allow the
 * algorithm and the key must be of its kind. The key is opened from its sealed form on the first
 * signature of a version (audited as credential.open) and kept in memory for OPENED_MEMORY_MS; it is
 * never returned. `version` is the credential's current version, as the caller knows it.
 */
export async function signDigest(
  services: Services,
  { actor, credential, request }: { actor: Actor; credential: { id: string; profile: string; version: number }; request: TSignRequest },
): Promise<Result<Signature>> {
  const allowed = profileDefinition(credential.profile)?.signing ?? [];
  if (!allowed.length) {
    const title = profileDefinition(credential.profile)?.title ?? credential.profile;
    return fail('INVALID_STATE', `A ${title} does not sign through the API${credential.profile === 'ksef-certificate' ? ': Strongroom signs in to KSeF with it; ask for an access token instead' : ''}.`);
  }
  if (!allowed.includes(request.algorithm)) return fail('VALIDATION', `This kind of credential signs with ${allowed.join(' or ')}, not ${request.algorithm}.`);

  const opened = await signingKey(services, actor, credential);
  if (!opened.ok) return opened;
  const { key, scalar, certificatePem, version } = opened.data;
  const refusal = keyRefusal(key, request.algorithm);
  if (refusal) return fail('VALIDATION', refusal);

  const digest = Buffer.from(request.digest, 'base64');
  const spec = SIGN_ALGORITHMS[request.algorithm];
  if (spec.curve) {
    // Node's sign() hashes what it is given; a digest must be signed as it is.
    const raw = ECDSA[spec.curve].sign(digest, scalar!, { prehash: false, extraEntropy: true });
    const signature = ECDSA[spec.curve].Signature.fromBytes(raw, 'compact');
    return ok({ algorithm: request.algorithm, signature: Buffer.from(signature.toBytes('der')), p1363: Buffer.from(raw), certificatePem, version });
  }
  const block = request.algorithm === 'RS256' ? pkcs1Sign(key, digest) : pssSign(key, digest);
  return ok({ algorithm: request.algorithm, signature: block, p1363: null, certificatePem, version });
}

/**
 * The largest RSA key the API signs with. An RSA signature runs on the server's main thread (Node has
 * no asynchronous raw RSA): 3.6 ms at 4,096 bits on the development machine, 26 ms at 8,192.
 */
export const MAX_RSA_SIGNING_BITS = 4096;

/** Why this key cannot make this signature, or null when it can. */
function keyRefusal(key: KeyObject, algorithm: TSignAlgorithm): string | null {
  const spec = SIGN_ALGORITHMS[algorithm];
  const type = key.asymmetricKeyType ?? 'unknown';
  if (spec.key === 'rsa') {
    if (type !== 'rsa') return `${algorithm} needs an RSA key; this credential's key is ${type === 'ec' ? `EC (${EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'another curve'})` : type}.`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits > MAX_RSA_SIGNING_BITS) return `This credential's RSA key has ${bits} bits; the signing API signs with RSA keys of up to ${MAX_RSA_SIGNING_BITS} bits (a larger one takes tens of milliseconds of the server per signature).`;
    return null;
  }
  const curve = type === 'ec' ? EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  if (curve === spec.curve) return null;
  return `${algorithm} needs an EC key on ${spec.curve}; this credential's key is ${type === 'ec' ? `on ${curve ?? key.asymmetricKeyDetails?.namedCurve ?? 'another curve'}` : type.toUpperCase()}.`;
}

async function signingKey(services: Services, actor: Actor, credential: { id: string; version: number }): Promise<Result<SigningKey>> {
  const remembered = keys.recall(credential.id, credential.version);
  if (remembered) return ok(remembered);

  const opened = await openCertificateKey(services, { actor, credentialId: credential.id, purpose: 'sign' });
  if (!opened.ok) return opened;
  const { key, certificatePem, version } = opened.data;
  const jwk = key.asymmetricKeyType === 'ec' ? key.export({ format: 'jwk' }) : null;
  const entry: SigningKey = { key, scalar: jwk?.d ? Buffer.from(jwk.d, 'base64url') : null, certificatePem, version };
  keys.remember(credential.id, version, entry);
  return ok(entry);
}

// DER of DigestInfo { sha256, NULL } up to the digest (RFC 8017, 9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** RSASSA-PKCS1-v1_5 over a SHA-256 digest: OpenSSL pads the DigestInfo (block type 1) and signs. */
function pkcs1Sign(key: KeyObject, digest: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
}

const sha256 = (...parts: Buffer[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();

/**
 * RSASSA-PSS over a SHA-256 digest (RFC 8017, 8.1.1 and EMSA-PSS-ENCODE in 9.1.1; MGF1 with SHA-256,
 * 32-byte salt): Node signs only what it hashes itself, so the encoding is done here and OpenSSL
 * makes the RSA signature of it (no padding of its own).
 */
function pssSign(key: KeyObject, digest: Buffer): Buffer {
  const modulusBits = key.asymmetricKeyDetails!.modulusLength!;
  const emBits = modulusBits - 1;
  const emLength = Math.ceil(emBits / 8);
  const salt = randomBytes(32);
  const h = sha256(Buffer.alloc(8), digest, salt);
  const db = Buffer.concat([Buffer.alloc(emLength - salt.length - h.length - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = db[i]! ^ mask[i]!;
  db[0] = db[0]! & (0xff >> (8 * emLength - emBits));
  const encoded = Buffer.concat([db, h, Buffer.from([0xbc])]);
  const padded = Buffer.concat([Buffer.alloc(Math.ceil(modulusBits / 8) - encoded.length), encoded]);
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, padded);
}

function mgf1(seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(sha256(seed, c));
  }
  return Buffer.concat(blocks).subarray(0, length);
}
