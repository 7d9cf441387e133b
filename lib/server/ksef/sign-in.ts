import 'server-only';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { z } from 'zod';
import { readDerCertificate } from '@/lib/server/certificates/x509';
import { nowMs } from '@/lib/server/clock';
import { caller, guarded, KsefFailure, untilDone, type Call } from '@/lib/server/ksef/api';
import { signAuthTokenRequest } from '@/lib/server/ksef/xades';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import type { TokenOutcome } from '@/lib/server/tokens/request-token';

// KSeF 2.0 authentication (ksef-docs uwierzytelnianie.md; OpenAPI v2): not OAuth. A challenge; then
// either the KSeF token encrypted with the Ministry's public key (RSA-OAEP, SHA-256) together with
// the challenge's timestamp, or an AuthTokenRequest signed in XAdES with a KSeF certificate; then the
// asynchronous operation's status until it ends; then one redeem for an access and a refresh token.
// The access token is refreshed with the refresh token (≤ 7 days), then a new sign-in.

export type KsefSignIn =
  | { apiBaseUrl: string; nip: string; ksefToken: string }
  | { apiBaseUrl: string; nip: string; certificate: string; privateKey: string };

const ZTokenInfo = z.object({ token: z.string().min(1), validUntil: z.string() });
const ZChallenge = z.object({ challenge: z.string().min(1), timestampMs: z.number().int() });
const ZInit = z.object({ referenceNumber: z.string().min(1), authenticationToken: ZTokenInfo });
const ZTokens = z.object({ accessToken: ZTokenInfo, refreshToken: ZTokenInfo });
const ZRefreshed = z.object({ accessToken: ZTokenInfo });
const ZPublicKeys = z.array(z.object({ certificate: z.string(), usage: z.array(z.string()), validFrom: z.string(), validTo: z.string() }));

/** Signs in to KSeF (token or certificate) and redeems the access and refresh tokens. Never throws. */
export async function ksefSignIn(signIn: KsefSignIn, policy: OutboundPolicy): Promise<TokenOutcome> {
  const secrets = 'ksefToken' in signIn ? [signIn.ksefToken] : [signIn.privateKey];
  return guarded(secrets, async () => {
    const call = caller(signIn.apiBaseUrl, policy);
    const challenge = ZChallenge.parse(await call('POST', '/auth/challenge', { json: {} }));
    const context = { type: 'Nip', value: signIn.nip };
    const init = ZInit.parse(
      'ksefToken' in signIn
        ? await call('POST', '/auth/ksef-token', {
            json: { challenge: challenge.challenge, contextIdentifier: context, encryptedToken: encryptToken(await tokenEncryptionKey(call), `${signIn.ksefToken}|${challenge.timestampMs}`) },
          })
        : await call('POST', '/auth/xades-signature', { xml: signAuthTokenRequest({ challenge: challenge.challenge, nip: signIn.nip, certificate: signIn.certificate, privateKey: signIn.privateKey }) }),
    );
    const bearer = init.authenticationToken.token;
    await untilDone('the sign-in', () => call('GET', `/auth/${encodeURIComponent(init.referenceNumber)}`, { bearer }));
    const tokens = ZTokens.parse(await call('POST', '/auth/token/redeem', { bearer }));
    return { ...accessOutcome(tokens.accessToken), refreshToken: tokens.refreshToken.token };
  });
}

/** A new access token for a refresh token. A refused refresh token (expired, revoked) is permanent: sign in again. */
export function ksefRefresh(apiBaseUrl: string, refreshToken: string, policy: OutboundPolicy): Promise<TokenOutcome> {
  return guarded([refreshToken], async () => {
    const body = ZRefreshed.parse(await caller(apiBaseUrl, policy)('POST', '/auth/token/refresh', { bearer: refreshToken }));
    return accessOutcome(body.accessToken);
  });
}

function accessOutcome(accessToken: z.infer<typeof ZTokenInfo>): TokenOutcome & { ok: true } {
  const expiresIn = Math.floor((Date.parse(accessToken.validUntil) - nowMs()) / 1000);
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw new KsefFailure({ ok: false, kind: 'transient', code: 'invalid_response', message: 'KSeF sent an access token that is already expired.' });
  return { ok: true, accessToken: accessToken.token, tokenType: 'Bearer', expiresIn, httpStatus: 200 };
}

/** The Ministry's current public key for KSeF token encryption (usage KsefTokenEncryption). */
async function tokenEncryptionKey(call: Call) {
  const keys = ZPublicKeys.parse(await call('GET', '/security/public-key-certificates', {}));
  const at = nowMs();
  const current = keys.find((k) => k.usage.includes('KsefTokenEncryption') && Date.parse(k.validFrom) <= at && at < Date.parse(k.validTo));
  if (!current) throw new KsefFailure({ ok: false, kind: 'transient', code: 'invalid_response', message: 'KSeF published no current key for token encryption.' });
  const certificate = readDerCertificate(new Uint8Array(Buffer.from(current.certificate, 'base64')));
  return createPublicKey(certificate.toString('pem'));
}

const encryptToken = (key: ReturnType<typeof createPublicKey>, plain: string) =>
  publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(plain, 'utf8')).toString('base64');
