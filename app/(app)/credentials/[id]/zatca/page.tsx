import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { ZatcaOnboardingForm } from '@/components/zatca-onboarding-form';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';
import { services } from '@/lib/server/services';
import { requireSecretChangePage } from '@/lib/server/step-up/require-secret-change';
import { zatcaStage } from '@/lib/server/zatca/onboard-egs';

export const metadata: Metadata = { title: 'ZATCA onboarding' };

const STAGES = {
  new: { step: 'compliance', title: 'Not onboarded yet', next: 'Strongroom generates the unit’s private key (secp256k1) and the certificate request from the settings below, and sends the request to ZATCA with the OTP you copy from the Fatoora portal. The key never leaves Strongroom.' },
  compliance: { step: 'production', title: 'Compliance CSID issued', next: 'Once the EGS unit has passed ZATCA’s compliance checks with its compliance CSID, ask for the production CSID for the same key.' },
  production: { step: 'renew', title: 'Production CSID in use', next: 'Before it expires, renew it: Strongroom makes a new key and request, and sends them with the OTP for “Renewing Existing CSID”, authenticated by the current CSID. The new CSID becomes a pending version: test it, then promote it.' },
} as const;

export default async function ZatcaOnboardingPage({ params }: { params: Promise<{ id: string }> }) {
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const user = await requireSecretChangePage('credentials', `/credentials/${id.data}/zatca`);
  const root = await services();
  const credential = await getCredentialStatus(root, { organizationId: user.organizationId, credentialId: id.data });
  if (!credential || credential.profile !== 'zatca-csid' || credential.deletedAt || credential.status === 'REVOKED') notFound();
  const stage = STAGES[await zatcaStage(root, { id: credential.id, organizationId: user.organizationId })];
  const setting = (name: string) => credential.fields.find((f) => f.name === name);
  return (
    <>
      <p>
        <Link href={`/credentials/${credential.id}`}>← {credential.label}</Link>
      </p>
      <h1>ZATCA onboarding: {credential.label}</h1>
      <section className="panel" aria-labelledby="stage-heading">
        <h2 id="stage-heading">{stage.title}</h2>
        <p>{stage.next}</p>
        <ZatcaOnboardingForm credentialId={credential.id} version={credential.version} step={stage.step} />
      </section>
      <section className="panel" aria-labelledby="csr-heading">
        <h2 id="csr-heading">Certificate request</h2>
        <dl className="facts">
          {['apiBaseUrl', 'vatNumber', 'egsSerial', 'commonName', 'organizationUnit', 'organizationName', 'invoiceTypes', 'registeredAddress', 'businessCategory'].map((name) => (
            <div key={name}>
              <dt>{setting(name)?.label ?? name}</dt>
              <dd>{setting(name)?.value ?? <span className="muted">Not set</span>}</dd>
            </div>
          ))}
        </dl>
        <p>
          <Link href={`/credentials/${credential.id}/edit`}>Change these settings</Link>
        </p>
      </section>
    </>
  );
}
