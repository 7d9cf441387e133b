'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { completeKsefEnrolmentAction, startKsefEnrolmentAction } from '@/app/(app)/credentials/actions';
import { FormError, TextField } from '@/components/form/fields';
import { PemField } from '@/components/form/pem-field';
import { useStepUp } from '@/components/use-step-up';
import { ZKsefSubject, type TKsefSubject } from '@/lib/schemas/ksef';
import { pemFromFile } from '@/lib/pem-files';

/**
 * The first KSeF certificate of a draft: the subject KSeF's application shows → a key made and sealed
 * here and a CSR to hand to KSeF → the certificate KSeF issued, attached to that key.
 */
export function KsefEnrolment({ credentialId, version, nip, keyWaiting }: { credentialId: string; version: number; nip: string; keyWaiting: boolean }) {
  const router = useRouter();
  const [csr, setCsr] = useState<string | null>(null);
  const [certificate, setCertificate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [certificateError, setCertificateError] = useState<string | undefined>(undefined);
  const { stepUpForm, needsStepUp } = useStepUp();
  const form = useForm<TKsefSubject>({ resolver: zodResolver(ZKsefSubject), defaultValues: { commonName: '', organizationName: '', organizationIdentifier: nip ? `VATPL-${nip}` : '', countryName: 'PL' } });
  const { register, handleSubmit, formState, setError: setFieldError } = form;

  const start = handleSubmit(async (subject) => {
    setError(null);
    const result = await startKsefEnrolmentAction({ credentialId, version, subject });
    if (needsStepUp(result, 'credentials', () => start())) return;
    if (!result.ok) {
      setError(result.formError ?? 'Nothing was made.');
      for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setFieldError(name.replace(/^subject\./, '') as keyof TKsefSubject, { message: messages[0] });
      return;
    }
    setCsr(result.data.csr);
    router.refresh();
  });
  const complete = async () => {
    setError(null);
    setCertificateError(undefined);
    const result = await completeKsefEnrolmentAction({ credentialId, version, certificate });
    if (needsStepUp(result, 'credentials', () => complete())) return;
    if (!result.ok) {
      setError(result.formError ?? 'Nothing was stored.');
      setCertificateError(result.fieldErrors?.certificate?.[0]);
      return;
    }
    router.refresh();
  };

  if (stepUpForm) return stepUpForm;
  return (
    <>
      <FormError message={error} />
      {csr && (
        <div className="field">
          <label htmlFor="ksef-csr">Certificate request (CSR) for KSeF’s application</label>
          <textarea id="ksef-csr" readOnly rows={8} value={csr} spellCheck={false} />
          <p>
            <a href={`data:application/pkcs10;charset=utf-8,${encodeURIComponent(csr)}`} download="strongroom-ksef.csr">
              Download the CSR
            </a>{' '}
            · The key stays sealed in Strongroom; only this request leaves.
          </p>
        </div>
      )}
      {keyWaiting && (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void complete();
          }}
        >
          <PemField
            id="ksef-issued-certificate"
            label="Certificate KSeF issued"
            help="The certificate KSeF’s application issued for the CSR (PEM, CRT or DER)."
            rows={6}
            spellCheck={false}
            value={certificate}
            onChange={(event) => setCertificate(event.target.value)}
            readFile={(bytes) => pemFromFile(bytes, 'CERTIFICATE')}
            onText={setCertificate}
            error={certificateError}
          />
          <button type="submit">Attach certificate</button>
        </form>
      )}
      <form onSubmit={start} noValidate>
        <p className="muted">{keyWaiting ? 'Or start again with a new key:' : 'The subject exactly as KSeF’s application shows it when you start an enrolment:'}</p>
        <TextField id="ksef-cn" label="Common name (CN)" error={formState.errors.commonName?.message} {...register('commonName')} />
        <TextField id="ksef-o" label="Organization (O)" optional error={formState.errors.organizationName?.message} {...register('organizationName')} />
        <TextField id="ksef-oi" label="Organization identifier" optional help="e.g. VATPL-<NIP>" error={formState.errors.organizationIdentifier?.message} {...register('organizationIdentifier')} />
        <TextField id="ksef-c" label="Country (C)" error={formState.errors.countryName?.message} {...register('countryName')} />
        <button type="submit" className={keyWaiting ? 'secondary' : undefined} disabled={formState.isSubmitting}>
          Make key and CSR
        </button>
      </form>
    </>
  );
}
