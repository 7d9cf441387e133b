import 'server-only';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { z } from 'zod';
import { pemBlock } from '@/lib/pem-files';
import { keyMatches, readDerCertificate, x509 } from '@/lib/server/certificates/x509';
import { caller, guarded, KsefFailure, refused, untilDone, type KsefFailureOutcome } from '@/lib/server/ksef/api';
import { ksefSignIn } from '@/lib/server/ksef/sign-in';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';

// Enrolling a KSeF certificate (ksef-docs certyfikaty-KSeF.md): signed in with a signature (here the
// current KSeF certificate, in XAdES), Strongroom reads the enrolment data (the distinguished name
// KSeF insists on), makes a new key (EC P-256) and a CSR with exactly that name, submits it, waits for
// the enrolment to end and retrieves the certificate. The key is made here and never leaves.

/** The enrolment data's attributes, by the OID the CSR's subject uses for each. */
const DN = {
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  givenName: '2.5.4.42',
  uniqueIdentifier: '2.5.4.45',
  organizationIdentifier: '2.5.4.97',
} as const;

const ZEnrollmentData = z.object(Object.fromEntries(Object.keys(DN).map((name) => [name, z.string().min(1).max(256).optional()])) as Record<keyof typeof DN, z.ZodOptional<z.ZodString>>);
const ZEnrolled = z.object({ referenceNumber: z.string().min(1) });
const ZEnrolmentStatus = z.object({ certificateSerialNumber: z.string().min(1) });
const ZRetrieved = z.object({ certificates: z.array(z.object({ certificate: z.string().min(1), certificateSerialNumber: z.string() })).min(1) });

/** A new EC P-256 key and a CSR (base64 DER) whose subject is exactly the enrolment data, in KSeF's order. */
export async function buildKsefCsr(data: z.infer<typeof ZEnrollmentData>): Promise<{ csr: string; privateKey: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name = (Object.keys(DN) as (keyof typeof DN)[]).flatMap((field) => (data[field] ? [{ [DN[field]]: [data[field]] }] : []));
  const request = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: algorithm });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { csr: Buffer.from(request.rawData).toString('base64'), privateKey: pemBlock('PRIVATE KEY', pkcs8) };
}

/** A new KSeF authentication certificate and its key, enrolled in the name of the certificate that signs in. Never throws. */
export function enrolKsefCertificate(
  current: { apiBaseUrl: string; nip: string; certificate: string; privateKey: string },
  { certificateName }: { certificateName: string },
  policy: OutboundPolicy,
): Promise<{ ok: true; certificate: string; privateKey: string } | KsefFailureOutcome> {
  return guarded([current.privateKey], async () => {
    const signedIn = await ksefSignIn(current, policy);
    if (!signedIn.ok) throw new KsefFailure(signedIn);
    const call = caller(current.apiBaseUrl, policy);
    const bearer = signedIn.accessToken;
    const data = ZEnrollmentData.parse(await call('GET', '/certificates/enrollments/data', { bearer }));
    const made = await buildKsefCsr(data);
    const { referenceNumber } = ZEnrolled.parse(await call('POST', '/certificates/enrollments', { bearer, json: { certificateName, certificateType: 'Authentication', csr: made.csr } }));
    const { certificateSerialNumber } = ZEnrolmentStatus.parse(await untilDone('the certificate enrolment', () => call('GET', `/certificates/enrollments/${encodeURIComponent(referenceNumber)}`, { bearer })));
    const { certificates } = ZRetrieved.parse(await call('POST', '/certificates/retrieve', { bearer, json: { certificateSerialNumbers: [certificateSerialNumber] } }));
    const certificate = readDerCertificate(new Uint8Array(Buffer.from(certificates[0]!.certificate, 'base64')));
    if (!keyMatches(certificate, createPrivateKey(made.privateKey))) throw refused('KSeF returned a certificate for another key.', 'invalid_response');
    return { ok: true as const, certificate: certificate.toString('pem'), privateKey: made.privateKey };
  });
}
