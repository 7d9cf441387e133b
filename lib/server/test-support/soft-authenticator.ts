import 'server-only';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A passkey authenticator in software for library tests: an ES256 key pair that answers WebAuthn
 * registration and authentication the way a browser hands them over (attestation "none"), with the
 * origin, host name and flags a test chooses, so the real verification (@simplewebauthn/server)
 * judges them. The browser tests use Chromium's virtual authenticator instead.
 */
export function softAuthenticator() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const credentialId = randomBytes(16);
  const id = credentialId.toString('base64url');
  let counter = 0;
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  const clientData = (type: string, challenge: string, origin: string) => Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  const flagsOf = ({ userVerified = true } = {}) => 0x01 | (userVerified ? 0x04 : 0);
  const header = (rpID: string, flags: number, count: number) => {
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(count);
    return Buffer.concat([createHash('sha256').update(rpID).digest(), Buffer.from([flags]), counterBytes]);
  };

  return {
    id,
    /** navigator.credentials.create()'s answer to registration options. */
    register(options: { challenge: string }, { origin, rpID, userVerified = true }: { origin: string; rpID: string; userVerified?: boolean }) {
      const cose = new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]);
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([header(rpID, flagsOf({ userVerified }) | 0x40, 0), Buffer.alloc(16), idLength, credentialId, Buffer.from(isoCBOR.encode(cose))]);
      const attestationObject = isoCBOR.encode(new Map<string, string | Map<string, string> | Uint8Array>([['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', authData]]));
      return {
        id,
        rawId: id,
        type: 'public-key' as const,
        response: { clientDataJSON: b64(clientData('webauthn.create', options.challenge, origin)), attestationObject: b64(attestationObject), transports: ['internal'] },
        clientExtensionResults: {},
      };
    },
    /** navigator.credentials.get()'s answer to authentication options. */
    authenticate(options: { challenge: string }, { origin, rpID, userVerified = true }: { origin: string; rpID: string; userVerified?: boolean }) {
      counter += 1;
      const authData = header(rpID, flagsOf({ userVerified }), counter);
      const data = clientData('webauthn.get', options.challenge, origin);
      const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(data).digest()]), privateKey);
      return {
        id,
        rawId: id,
        type: 'public-key' as const,
        response: { clientDataJSON: b64(data), authenticatorData: b64(authData), signature: b64(signature) },
        clientExtensionResults: {},
      };
    },
  };
}
