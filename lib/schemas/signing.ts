import { z } from 'zod';

/**
 * The signatures the signing API makes (JOSE names), each over a digest the caller computed: the
 * digest's length and the key it needs. ECDSA signs the digest as it is (no second hash); RSA wraps
 * it as PKCS#1 v1.5 (DigestInfo) or PSS (MGF1 with SHA-256, 32-byte salt).
 */
export const SIGN_ALGORITHMS = {
  ES256: { label: 'ECDSA P-256 with SHA-256', digestBytes: 32, key: 'ec', curve: 'P-256' },
  ES256K: { label: 'ECDSA secp256k1 with SHA-256', digestBytes: 32, key: 'ec', curve: 'secp256k1' },
  ES384: { label: 'ECDSA P-384 with SHA-384', digestBytes: 48, key: 'ec', curve: 'P-384' },
  RS256: { label: 'RSA PKCS#1 v1.5 with SHA-256', digestBytes: 32, key: 'rsa', curve: null },
  PS256: { label: 'RSA-PSS with SHA-256 (MGF1 SHA-256, 32-byte salt)', digestBytes: 32, key: 'rsa', curve: null },
} as const;
export type TSignAlgorithm = keyof typeof SIGN_ALGORITHMS;
const ALGORITHM_IDS = Object.keys(SIGN_ALGORITHMS) as [TSignAlgorithm, ...TSignAlgorithm[]];

/** The largest request body the signing route reads: a digest and an algorithm take under 200 bytes. */
export const MAX_SIGN_REQUEST_BYTES = 1024;

export const ZSignRequest = z
  .strictObject({
    digest: z
      .string()
      .regex(/^[A-Za-z0-9+/]{1,128}={0,2}$/, 'The digest, base64-encoded (standard alphabet)')
      .meta({ description: 'The hash to sign, base64: 32 bytes for SHA-256, 48 for SHA-384' }),
    algorithm: z.enum(ALGORITHM_IDS, { error: `One of ${ALGORITHM_IDS.join(', ')}` }),
  })
  .superRefine(({ digest, algorithm }, context) => {
    const wanted = SIGN_ALGORITHMS[algorithm]?.digestBytes;
    const bytes = Buffer.from(digest, 'base64');
    if (wanted && (bytes.length !== wanted || bytes.toString('base64') !== digest)) {
      context.addIssue({ code: 'custom', path: ['digest'], message: `${algorithm} signs a ${wanted}-byte digest; this one is ${bytes.length} bytes` });
    }
  })
  .meta({ id: 'SignRequest' });
export type TSignRequest = z.infer<typeof ZSignRequest>;

export const ZSignatureBody = z
  .object({
    algorithm: z.enum(ALGORITHM_IDS),
    signature: z.string().meta({ description: 'Base64: DER (ASN.1 SEQUENCE of r and s) for ECDSA, as XML-DSig, CMS and OpenSSL take it; the signature block for RSA' }),
    signature_p1363: z.string().optional().meta({ description: 'ECDSA only, base64: r‖s, each the curve’s size (IEEE P1363, as JOSE and KSeF QR codes take it)' }),
    certificate: z.string().meta({ description: 'The certificate of the signing key, PEM' }),
    credential_version: z.number().int().meta({ description: 'The version of the credential whose key signed' }),
  })
  .meta({ id: 'Signature' });
