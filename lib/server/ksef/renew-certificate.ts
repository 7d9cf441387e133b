import 'server-only';
import { ZCredentialRef, type TCredentialRef } from '@/lib/schemas/credential-profiles';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { readPemCertificates } from '@/lib/server/certificates/x509';
import { now } from '@/lib/server/clock';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { stageSecrets } from '@/lib/server/credentials/secret-versions';
import { enrolKsefCertificate } from '@/lib/server/ksef/certificates';
import { defaultPolicy, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * Renews a KSeF authentication certificate through the KSeF API, signed in with the current one: the
 * new certificate and the key made for it become the credential's pending version, to be tested and
 * promoted (the current certificate stays in use until then). Refusals are audited; KSeF's own
 * refusal stores nothing.
 */
export async function renewKsefCertificate(
  services: Services,
  { actor, organizationId, input, policy = defaultPolicy() }: { actor: Actor; organizationId: string; input: TCredentialRef; policy?: OutboundPolicy },
): Promise<Result<{ secretVersion: number; message: string }>> {
  const { prisma, keyring } = services;
  const parsed = ZCredentialRef.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) => refuseChange(prisma, { actor, organizationId, action: 'ksef.renew', credentialId: parsed.data?.credentialId, failure: failure.error });
  if (!parsed.success) return refuse(fail('NOT_FOUND', 'This credential does not exist.'));
  const { credentialId, version } = parsed.data;
  const credential = await prisma.credential.findFirst({ where: { id: credentialId, organizationId, deletedAt: null, profile: 'ksef-certificate' }, select: { id: true, organizationId: true, version: true, label: true } });
  if (!credential) return refuse(fail('NOT_FOUND', 'This KSeF certificate does not exist or was deleted.'));
  if (credential.version !== version) return refuse(fail('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again; nothing was sent to KSeF.'));
  const opened = await openCredentialForUse(services, { actor, credentialId, fields: ['privateKey'], purpose: 'ksef.renew' });
  if (!opened.ok) return refuse(opened);
  const { config, secrets } = opened.data;
  if (!config.apiBaseUrl || !config.nip || !config.certificate || !secrets.privateKey) return refuse(fail('INVALID_STATE', 'This KSeF certificate is incomplete; it cannot sign in to renew itself.'));
  const enrolled = await enrolKsefCertificate(
    { apiBaseUrl: config.apiBaseUrl, nip: config.nip, certificate: config.certificate, privateKey: secrets.privateKey },
    { certificateName: `${credential.label} (Strongroom ${now().toISOString().slice(0, 10)})` },
    policy,
  );
  if (!enrolled.ok) return refuse(fail(enrolled.kind === 'transient' ? 'PROVIDER_UNREACHABLE' : 'INVALID_STATE', `${enrolled.message} Nothing was stored.`));
  const notAfter = readPemCertificates(enrolled.certificate)[0]!.notAfter;
  const staged = await prisma.$transaction(async (tx) => {
    const { count } = await tx.credential.updateMany({ where: { id: credentialId, version, deletedAt: null, status: { not: 'REVOKED' } }, data: { version: { increment: 1 } } });
    if (count === 0) return null;
    const pending = await stageSecrets(tx, keyring, {
      credential,
      secrets: { privateKey: enrolled.privateKey, certificate: enrolled.certificate },
      expiresAt: notAfter,
      attribution: { at: now(), setBy: actor.label ?? null },
    });
    await appendAuditEvent(tx, { actor, action: 'ksef.renew', target: { type: 'Credential', id: credentialId }, organizationId, outcome: 'SUCCESS', details: { secretVersion: pending.number, notAfter: notAfter.toISOString() } });
    return pending;
  });
  if (!staged) return refuse(fail('CONFLICT', 'The credential changed while KSeF answered; the new certificate was not stored. Reload and try again.'));
  return ok({ secretVersion: staged.number, message: `KSeF issued a new certificate; it is pending version ${staged.number}. Test it, then promote it: the current certificate stays in use until then.` });
}
