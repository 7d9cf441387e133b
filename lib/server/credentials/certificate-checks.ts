import 'server-only';
import { profileDefinition, type TCredentialProfile } from '@/lib/schemas/credential-profiles';
import { certificateFacts, chainTo, nameAttribute, readPemCertificates, x509, type Certificate, type CertificateFacts } from '@/lib/server/certificates/x509';
import { now } from '@/lib/server/clock';
import { CertificateProblem, checkValidityWindow, MAX_CERTIFICATES, inspectPemPair, inspectPkcs12, type InspectedCertificate } from '@/lib/server/credentials/inspect-certificate';

/** OpenPeppol revoked every G2 certificate on this day; one that chains to a G2 CA is dead whatever its notAfter says. */
export const PEPPOL_G2_REVOKED = new Date('2026-04-01T00:00:00Z');

export interface CheckedCertificate {
  inspected: InspectedCertificate;
  /** Set when the certificate came out of a PKCS#12 file: the public certificate to keep beside it. */
  certificatePem?: string;
  /** When it stops working: its notAfter, or earlier when its regime says so. */
  expiresAt: Date;
  /** The OpenPeppol PKI generation it chains to (Peppol profile). */
  generation?: string;
}

interface Values {
  /** Stored secrets (on edit, when only one side of a pair changes). */
  stored: Record<string, string | undefined>;
  config: Record<string, string | undefined>;
  /** Secrets given now. */
  secrets: Record<string, string | undefined>;
}

/**
 * The certificate checks of a profile that holds one, for new values and for a connection test
 * alike: it parses, the key belongs to it, it is inside its validity window, it chains to the
 * configured CA, and the regime's own rules (KSeF certificate type, Peppol PKI generation).
 * Throws CertificateProblem naming the field; returns null for profiles without a certificate.
 */
export async function checkCertificateValues(profileId: TCredentialProfile, { stored, config, secrets }: Values, at = now()): Promise<CheckedCertificate | null> {
  if (!profileDefinition(profileId)?.fields.some((f) => f.name === 'certificate')) return null;
  const all = { ...stored, ...config, ...secrets };
  // A ZATCA EGS unit with no CSID yet, or a KSeF certificate not enrolled yet, waits for Strongroom to
  // make its key (zatca/onboard-egs.ts, ksef/enrol-with-csr.ts).
  if ((profileId === 'zatca-csid' || profileId === 'ksef-certificate') && !all.certificate && !all.privateKey && !all.csidSecret && !all.pkcs12) return null;
  // A PKCS#12 file given now wins; else a certificate with its key; else a stored PKCS#12 file.
  const fromPkcs12 = Boolean(secrets.pkcs12) || (!all.privateKey && Boolean(all.pkcs12));
  let inspected: InspectedCertificate;
  if (fromPkcs12) {
    if (secrets.pkcs12 && secrets.privateKey) throw new CertificateProblem('pkcs12', 'Give either a certificate with its private key, or a PKCS#12 file, not both');
    inspected = await inspectPkcs12({ pkcs12: all.pkcs12!, password: all.pkcs12Password ?? '' });
  } else {
    if (!all.certificate) throw new CertificateProblem('certificate', 'Add the certificate (paste it or choose its file)');
    if (!all.privateKey) throw new CertificateProblem('privateKey', 'Add the private key that belongs to the certificate; a certificate without its key cannot sign');
    inspected = inspectPemPair({ certificate: all.certificate, privateKey: all.privateKey });
  }
  const certificateField = fromPkcs12 ? 'pkcs12' : 'certificate';
  checkValidityWindow(inspected.certificate, certificateField, at);
  let expiresAt = inspected.notAfter;
  let generation: string | undefined;

  if (profileId === 'ksef-certificate' || profileId === 'ksef-offline-certificate') checkKsefType(inspected.certificate, profileId, certificateField);
  if (config.caCertificates !== undefined || all.caCertificates) {
    const chain = await checkChain(inspected, all.caCertificates ?? '', certificateField);
    if (profileId === 'peppol-ap-certificate') {
      generation = peppolGeneration(chain);
      if (generation === 'G2') {
        expiresAt = new Date(Math.min(expiresAt.getTime(), PEPPOL_G2_REVOKED.getTime()));
        if (at.getTime() >= PEPPOL_G2_REVOKED.getTime()) {
          throw new CertificateProblem(certificateField, 'This certificate chains to the OpenPeppol G2 CA: all G2 certificates were revoked on 1 April 2026, so it no longer works whatever its end date says. Request a G3 certificate from OpenPeppol.', 'certificate_revoked');
        }
      }
    }
  }
  return { inspected, expiresAt, ...(fromPkcs12 ? { certificatePem: inspected.certificatePem } : {}), ...(generation ? { generation } : {}) };
}

/** KSeF issues two kinds that cannot be combined: Authentication (keyUsage digitalSignature) and Offline (nonRepudiation). */
function checkKsefType(certificate: Certificate, profileId: 'ksef-certificate' | 'ksef-offline-certificate', field: string): void {
  const usage = certificate.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
  const authentication = (usage & x509.KeyUsageFlags.digitalSignature) !== 0;
  const offline = (usage & x509.KeyUsageFlags.nonRepudiation) !== 0;
  if (profileId === 'ksef-certificate' && !authentication) {
    throw new CertificateProblem(field, offline ? 'This is a KSeF offline certificate (type 2): it cannot sign in. Store it as a “KSeF certificate (offline)”.' : 'This certificate is not a KSeF authentication certificate (its key usage lacks digital signature)', 'certificate_type');
  }
  if (profileId === 'ksef-offline-certificate' && !offline) {
    throw new CertificateProblem(field, 'This is not a KSeF offline certificate (type 2, key usage non-repudiation); an authentication certificate belongs in “KSeF certificate (authentication)”.', 'certificate_type');
  }
}

/** The chain to the configured CA (the last certificate in the CA field), with signatures checked. */
async function checkChain(inspected: InspectedCertificate, caPem: string, field: string): Promise<Certificate[]> {
  let cas: Certificate[];
  try {
    cas = readPemCertificates(caPem);
  } catch {
    cas = [];
  }
  if (!cas.length) throw new CertificateProblem('caCertificates', 'This is not a readable CA certificate');
  if (cas.length > MAX_CERTIFICATES) throw new CertificateProblem('caCertificates', `At most ${MAX_CERTIFICATES} CA certificates`);
  const anchor = cas.at(-1)!;
  const chain = await chainTo(inspected.certificate, [...inspected.chain, ...cas.slice(0, -1)], anchor);
  if (!chain) {
    const issuer = nameAttribute(inspected.certificate.issuer, 'CN') ?? inspected.certificate.issuer;
    const ca = nameAttribute(anchor.subject, 'CN') ?? anchor.subject;
    throw new CertificateProblem(field, `This certificate does not chain to the configured CA “${ca}” (it was issued by “${issuer}”)`, 'certificate_chain');
  }
  return chain;
}

/**
 * The facts of a credential's stored certificate (public, kept in its config) for its page and the
 * API, with the OpenPeppol PKI generation of a Peppol certificate; null when none is stored or readable.
 */
export async function storedCertificateFacts(profileId: string, config: Record<string, string | undefined>): Promise<(CertificateFacts & { pkiGeneration: string | null }) | null> {
  try {
    const [leaf, ...rest] = readPemCertificates(config.certificate ?? '');
    if (!leaf) return null;
    const cas = profileId === 'peppol-ap-certificate' && config.caCertificates ? readPemCertificates(config.caCertificates) : [];
    const chain = cas.length ? await chainTo(leaf, [...rest, ...cas.slice(0, -1)], cas.at(-1)!) : null;
    return { ...certificateFacts(leaf), pkiGeneration: chain ? (peppolGeneration(chain) ?? null) : null };
  } catch {
    return null;
  }
}

/** The OpenPeppol PKI generation named by the CAs in the chain ("PEPPOL ACCESS POINT CA - G2"), if any. */
export function peppolGeneration(chain: Certificate[]): string | undefined {
  for (const certificate of chain.slice(1)) {
    const match = /\bG(\d+)\s*$/i.exec(nameAttribute(certificate.subject, 'CN') ?? '');
    if (match) return `G${match[1]}`;
  }
  return undefined;
}

