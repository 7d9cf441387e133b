import 'server-only';
import { constants, createHash, createPrivateKey, privateDecrypt, randomUUID, verify, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { pemBlock } from '@/lib/pem-files';
import { x509 } from '@/lib/server/certificates/x509';
import { nowMs } from '@/lib/server/clock';
import { issueCertificate } from '@/lib/server/test-support/certificates';
import { json, startFaultServer } from '@/lib/server/test-support/test-servers';

/** ECDSA-SHA256 for xml-crypto's verifier. */
class EcdsaSha256 {
  getAlgorithmName = () => 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
  verifySignature = (material: string, key: string, signatureValue: string) => verify('sha256', Buffer.from(material), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signatureValue, 'base64'));
  getSignature = () => {
    throw new Error('verification only');
  };
}

/**
 * A local stand-in for the KSeF 2.0 authentication API (ksef-docs uwierzytelnianie.md, OpenAPI v2)
 * that checks what the real one checks: the challenge is fresh and used once; the KSeF token is
 * RSA-OAEP/SHA-256 encrypted with the published KsefTokenEncryption key (not the other published
 * key) as `token|timestampMs` of that challenge, for the NIP it was issued for; an XAdES
 * AuthTokenRequest carries a valid enveloped signature (verified by xml-crypto) by a registered
 * KSeF certificate over the same challenge and NIP; the status is polled with the operation's
 * token, which is redeemed once; refresh tokens give new access tokens until they lapse.
 */
export async function startFakeKsef({ accessSeconds = 900, refreshSeconds = 7 * 86_400, pendingPolls = 1 } = {}) {
  const tokenKey = await issueCertificate({ subject: 'CN=KSeF token encryption (test)', algorithm: 'RSA' });
  const otherKey = await issueCertificate({ subject: 'CN=KSeF symmetric key encryption (test)', algorithm: 'RSA' });
  const derOf = (pem: string) => new X509Certificate(pem).raw.toString('base64');
  const tokens = new Map<string, string>(); // KSeF token → NIP
  const certificates = new Map<string, { nip: string; subject: string }>(); // SHA-256 of a registered KSeF certificate → NIP, subject
  const challenges = new Map<string, { timestampMs: number; used: boolean }>();
  /** A sign-in: with a KSeF token, or signed (XAdES) by a certificate whose subject KSeF then knows. */
  const operations = new Map<string, { authenticationToken: string; code: number; polls: number; redeemed: boolean; signedBy?: string }>();
  const sessions = new Map<string, { signedBy?: string }>(); // access token → how its sign-in was made
  const enrolments = new Map<string, { csr: x509.Pkcs10CertificateRequest; polls: number; serial: string; nip: string }>();
  const ksefCa = await issueCertificate({ subject: 'CN=Fake KSeF CA, O=Strongroom Test, C=PL', ca: true });
  const issued: string[] = [];
  const refreshTokens = new Map<string, number>(); // refresh token → valid until
  const accessTokens = new Set<string>();
  const calls: string[] = [];
  /** Answers the next call to a path with this status (and Retry-After) instead. */
  const faults: { path: string; status: number; retryAfter?: string }[] = [];

  const bearer = (req: IncomingMessage) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const validUntil = (seconds: number) => new Date(nowMs() + seconds * 1000).toISOString();
  const startOperation = (res: ServerResponse, code: number, signedBy?: string) => {
    const referenceNumber = `20261203-AU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const authenticationToken = `auth-${randomUUID()}`;
    operations.set(referenceNumber, { authenticationToken, code, polls: 0, redeemed: false, ...(signedBy ? { signedBy } : {}) });
    json(res, 202, { referenceNumber, authenticationToken: { token: authenticationToken, validUntil: validUntil(600) } });
  };
  /** A fresh challenge, used once; a refusal otherwise. */
  const takeChallenge = (challenge: unknown) => {
    const entry = typeof challenge === 'string' ? challenges.get(challenge) : undefined;
    if (!entry || entry.used || nowMs() - entry.timestampMs > 600_000) return null;
    entry.used = true;
    return entry;
  };

  const server = await startFaultServer((req, body, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/v2/, '');
    calls.push(`${req.method} ${path}`);
    const fault = faults.findIndex((f) => path.startsWith(f.path));
    if (fault !== -1) {
      const [f] = faults.splice(fault, 1);
      return json(res, f!.status, { exception: { exceptionDetailList: [{ exceptionCode: f!.status }] } }, f!.retryAfter ? { 'retry-after': f!.retryAfter } : {});
    }
    if (req.method === 'POST' && path === '/auth/challenge') {
      const challenge = `20261203-CR-${randomUUID().slice(0, 18).toUpperCase()}`;
      const timestampMs = nowMs();
      challenges.set(challenge, { timestampMs, used: false });
      return json(res, 200, { challenge, timestamp: new Date(timestampMs).toISOString(), timestampMs });
    }
    if (req.method === 'GET' && path === '/security/public-key-certificates') {
      const published = (pem: string, usage: string) => ({ certificate: derOf(pem), usage: [usage], validFrom: validUntil(-86_400), validTo: validUntil(365 * 86_400) });
      return json(res, 200, [published(otherKey.certificate, 'SymmetricKeyEncryption'), published(tokenKey.certificate, 'KsefTokenEncryption')]);
    }
    if (req.method === 'POST' && path === '/auth/ksef-token') {
      const request = JSON.parse(body) as { challenge?: string; contextIdentifier?: { type?: string; value?: string }; encryptedToken?: string };
      const entry = takeChallenge(request.challenge);
      if (!entry || request.contextIdentifier?.type !== 'Nip') return json(res, 400, { exception: { exceptionDetailList: [{ exceptionCode: 21405 }] } });
      let plain: string;
      try {
        plain = privateDecrypt({ key: createPrivateKey(tokenKey.privateKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(request.encryptedToken ?? '', 'base64')).toString('utf8');
      } catch {
        return json(res, 400, { exception: { exceptionDetailList: [{ exceptionCode: 21401 }] } });
      }
      const [token, timestamp] = [plain.slice(0, plain.lastIndexOf('|')), plain.slice(plain.lastIndexOf('|') + 1)];
      const nip = tokens.get(token);
      // 450: the token is unknown, or was not issued for this context; 415: a stale or replayed timestamp.
      const code = Number(timestamp) !== entry.timestampMs ? 415 : nip === undefined || nip !== request.contextIdentifier.value ? 450 : 200;
      return startOperation(res, code);
    }
    if (req.method === 'POST' && path === '/auth/xades-signature') {
      const verdict = verifyAuthTokenRequest(body);
      return startOperation(res, verdict.code, verdict.signedBy);
    }
    const status = /^\/auth\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && status && status[1] !== 'challenge') {
      const operation = operations.get(status[1]!);
      if (!operation || bearer(req) !== operation.authenticationToken) return json(res, 401, {});
      operation.polls += 1;
      return json(res, 200, { startDate: new Date().toISOString(), authenticationMethod: 'Token', status: { code: operation.polls <= pendingPolls ? 100 : operation.code, description: '…' } });
    }
    if (req.method === 'POST' && path === '/auth/token/redeem') {
      const operation = [...operations.values()].find((o) => o.authenticationToken === bearer(req));
      if (!operation || operation.code !== 200 || operation.polls <= pendingPolls || operation.redeemed) return json(res, 400, {});
      operation.redeemed = true;
      const accessToken = `ksef-access-${randomUUID()}`;
      const refreshToken = `ksef-refresh-${randomUUID()}`;
      accessTokens.add(accessToken);
      sessions.set(accessToken, { ...(operation.signedBy ? { signedBy: operation.signedBy } : {}) });
      refreshTokens.set(refreshToken, nowMs() + refreshSeconds * 1000);
      return json(res, 200, { accessToken: { token: accessToken, validUntil: validUntil(accessSeconds) }, refreshToken: { token: refreshToken, validUntil: validUntil(refreshSeconds) } });
    }
    if (req.method === 'POST' && path === '/auth/token/refresh') {
      const until = refreshTokens.get(bearer(req) ?? '');
      if (!until || until <= nowMs()) return json(res, 401, {});
      const accessToken = `ksef-access-${randomUUID()}`;
      accessTokens.add(accessToken);
      return json(res, 200, { accessToken: { token: accessToken, validUntil: validUntil(accessSeconds) } });
    }
    // Enrolment (certyfikaty-KSeF.md): only for a session signed with a certificate, in that certificate's name.
    if (path.startsWith('/certificates/')) return enrol(req, path, body, res);
    json(res, 404, {});
  });

  async function enrol(req: IncomingMessage, path: string, body: string, res: ServerResponse) {
    const session = sessions.get(bearer(req) ?? '');
    if (!session) return json(res, 401, {});
    if (!session.signedBy) return json(res, 403, { exception: { exceptionDetailList: [{ exceptionCode: 25001, exceptionDescription: 'enrolment needs a signed sign-in' }] } });
    const signer = [...certificates.values()].find((c) => c.subject === session.signedBy)!;
    const dataOf = (subject: string) => {
      const name = new x509.Name(subject);
      const pick = (oid: string) => name.getField(oid)[0];
      return Object.fromEntries(
        Object.entries({ commonName: pick('2.5.4.3'), countryName: pick('2.5.4.6'), organizationName: pick('2.5.4.10'), organizationIdentifier: pick('2.5.4.97') }).filter(([, v]) => v !== undefined),
      );
    };
    if (req.method === 'GET' && path === '/certificates/enrollments/data') return json(res, 200, dataOf(signer.subject));
    if (req.method === 'POST' && path === '/certificates/enrollments') {
      const request = JSON.parse(body) as { certificateName?: string; certificateType?: string; csr?: string };
      let csr: x509.Pkcs10CertificateRequest;
      try {
        csr = new x509.Pkcs10CertificateRequest(Buffer.from(request.csr ?? '', 'base64'));
      } catch {
        return json(res, 400, { exception: { exceptionDetailList: [{ exceptionCode: 25002 }] } });
      }
      // The CSR must be signed by its key and carry exactly the enrolment data's name.
      const sameName = JSON.stringify(dataOf(csr.subject)) === JSON.stringify(dataOf(signer.subject)) && new x509.Name(csr.subject).toJSON().length === Object.keys(dataOf(signer.subject)).length;
      if (request.certificateType !== 'Authentication' || !request.certificateName || !(await csr.verify()) || !sameName) {
        return json(res, 400, { exception: { exceptionDetailList: [{ exceptionCode: 25003 }] } });
      }
      const referenceNumber = `20261203-CE-${randomUUID().slice(0, 8).toUpperCase()}`;
      enrolments.set(referenceNumber, { csr, polls: 0, serial: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(), nip: signer.nip });
      return json(res, 202, { referenceNumber, timestamp: new Date(nowMs()).toISOString() });
    }
    const status = /^\/certificates\/enrollments\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && status) {
      const enrolment = enrolments.get(status[1]!);
      if (!enrolment) return json(res, 404, {});
      enrolment.polls += 1;
      return json(res, 200, { requestDate: new Date(nowMs()).toISOString(), status: { code: enrolment.polls <= pendingPolls ? 100 : 200, description: '…' }, ...(enrolment.polls > pendingPolls ? { certificateSerialNumber: enrolment.serial } : {}) });
    }
    if (req.method === 'POST' && path === '/certificates/retrieve') {
      const { certificateSerialNumbers = [] } = JSON.parse(body) as { certificateSerialNumbers?: string[] };
      const found = [...enrolments.values()].filter((e) => certificateSerialNumbers.includes(e.serial) && e.polls > pendingPolls);
      const list = [];
      for (const enrolment of found) {
        const certificate = await x509.X509CertificateGenerator.create({
          serialNumber: enrolment.serial,
          subject: enrolment.csr.subject,
          issuer: ksefCa.subject,
          notBefore: new Date(nowMs() - 60_000),
          notAfter: new Date(nowMs() + 2 * 365 * 86_400_000),
          publicKey: await enrolment.csr.publicKey.export(),
          signingKey: ksefCa.keys.privateKey,
          signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
          extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
        });
        const pem = certificate.toString('pem');
        certificates.set(createHash('sha256').update(new X509Certificate(pem).raw).digest('hex'), { nip: enrolment.nip, subject: certificate.subject });
        issued.push(pem);
        list.push({ certificate: Buffer.from(certificate.rawData).toString('base64'), certificateName: 'enrolled', certificateSerialNumber: enrolment.serial, certificateType: 'Authentication' });
      }
      return json(res, 200, { certificates: list });
    }
    json(res, 404, {});
  }

  /** 200 when the signature is valid, by a registered KSeF certificate, over a fresh challenge for its NIP; else a KSeF refusal code. */
  function verifyAuthTokenRequest(xml: string): { code: number; signedBy?: string } {
    const document = new DOMParser().parseFromString(xml, 'application/xml');
    const signatureNode = document.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
    const der = document.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate')[0]?.textContent;
    if (!signatureNode || !der) return { code: 460 };
    const pem = pemBlock('CERTIFICATE', der);
    const verifier = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
    // xml-crypto knows RSA only; KSeF also takes ECDSA (P-256) signatures, r‖s as XML-DSig has them.
    verifier.SignatureAlgorithms['http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256'] = EcdsaSha256 as never;
    verifier.loadSignature(signatureNode as never);
    let valid = false;
    try {
      valid = verifier.checkSignature(xml);
    } catch {
      valid = false;
    }
    // Both the document and the XAdES signed properties must be covered.
    const covered = verifier.getSignedReferences().length === 2 && xml.includes('http://uri.etsi.org/01903#SignedProperties');
    if (!valid || !covered) return { code: 460 };
    const text = (name: string) => document.getElementsByTagNameNS('http://ksef.mf.gov.pl/auth/token/2.0', name)[0]?.textContent ?? '';
    if (!takeChallenge(text('Challenge'))) return { code: 415 };
    const registered = certificates.get(createHash('sha256').update(Buffer.from(der, 'base64')).digest('hex'));
    return registered?.nip === text('Nip') ? { code: 200, signedBy: registered.subject } : { code: 470 };
  }

  return {
    url: `${server.url}/v2`,
    close: server.close,
    calls,
    faults,
    accessTokens,
    /** Registers a KSeF token for a NIP (what the taxpayer would generate in KSeF). */
    issueToken(nip: string) {
      const token = `20261203-EC-${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}|nip-${nip}|${randomUUID().replace(/-/g, '')}`;
      tokens.set(token, nip);
      return token;
    },
    /** Registers a KSeF certificate (PEM) as one that may sign in for the NIP. */
    registerCertificate(pem: string, nip: string) {
      certificates.set(createHash('sha256').update(new X509Certificate(pem).raw).digest('hex'), { nip, subject: new x509.X509Certificate(pem).subject });
    },
    /** Certificates issued by enrolment, in PEM. */
    issued,
    expireRefreshTokens() {
      refreshTokens.clear();
    },
  };
}
