import 'server-only';
import type { KeyObject } from 'node:crypto';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { CertificateProblem, inspectPemPair, inspectPkcs12, type InspectedCertificate } from '@/lib/server/credentials/inspect-certificate';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * Server-internal: a certificate credential's private key (PEM pair or PKCS#12), opened from its
 * sealed form for the code that uses it (the signing API, the mTLS proxy) and audited as
 * credential.open with `purpose`. Never rendered, never returned to a caller.
 */
export async function openCertificateKey(
  services: Services,
  { actor, credentialId, purpose }: { actor: Actor; credentialId: string; purpose: string },
): Promise<Result<{ key: KeyObject; certificatePem: string; version: number; config: Record<string, string> }>> {
  const opened = await openCredentialForUse(services, { actor, credentialId, fields: ['privateKey', 'pkcs12', 'pkcs12Password'], purpose });
  if (!opened.ok) return opened;
  const { secrets, config, version } = opened.data;
  let inspected: InspectedCertificate;
  try {
    if (secrets.privateKey) inspected = inspectPemPair({ certificate: config.certificate ?? '', privateKey: secrets.privateKey });
    else if (secrets.pkcs12) inspected = await inspectPkcs12({ pkcs12: secrets.pkcs12, password: secrets.pkcs12Password ?? '' });
    else return fail('INVALID_STATE', 'This credential holds no private key yet (a unit Strongroom onboards gets one when it is onboarded).');
  } catch (error) {
    if (!(error instanceof CertificateProblem)) throw error;
    return fail('INVALID_STATE', `The stored certificate and key cannot be used: ${error.message}. An administrator must replace them.`);
  }
  return ok({ key: inspected.key, certificatePem: inspected.certificatePem, version, config });
}
