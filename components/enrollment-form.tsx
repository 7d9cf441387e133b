'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { confirmEnrollmentAction } from '@/app/(app)/settings/security/actions';
import { ZStepUp, type TStepUp } from '@/lib/schemas/step-up';
import { FormError, TextField } from '@/components/form/fields';

/** Confirms a new authenticator, then shows the recovery codes once. */
export function EnrollmentForm({ next }: { next: string | null }) {
  const router = useRouter();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const copyCodes = async (list: string[]) => {
    await navigator.clipboard.writeText(`${list.join('\n')}\n`);
    setCopied(true);
  };
  const { register, handleSubmit, setError, formState } = useForm<TStepUp>({ resolver: zodResolver(ZStepUp), defaultValues: { code: '' } });
  const onSubmit = handleSubmit(async ({ code }) => {
    setFormError(null);
    const result = await confirmEnrollmentAction({ code });
    if (result.ok) return setCodes(result.data.recoveryCodes);
    const message = result.fieldErrors?.code?.[0];
    if (message) setError('code', { message });
    else setFormError(result.formError ?? 'That did not work.');
  });

  if (codes) {
    return (
      <div>
        <h2>Recovery codes</h2>
        <p>
          Keep these somewhere safe, away from your phone. Each works once, instead of a code from the app. <strong>They are shown only now.</strong>
        </p>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {codes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => copyCodes(codes)}>
            Copy codes
          </button>
          <button type="button" className="secondary" onClick={() => downloadCodes(codes)}>
            Download codes
          </button>
          <button type="button" onClick={() => (next ? router.push(next) : router.refresh())}>
            I have saved them
          </button>
        </div>
        {copied && <p role="status">Copied to the clipboard.</p>}
      </div>
    );
  }
  const error = formState.errors.code?.message;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <TextField id="enroll-code" label="Code from the app" inputMode="numeric" autoComplete="one-time-code" error={error} {...register('code')} />
      <button type="submit" disabled={formState.isSubmitting}>
        Turn on two-factor
      </button>
    </form>
  );
}

/** Saves the codes as a text file, made in the browser: they never travel again. */
function downloadCodes(codes: string[]) {
  const url = URL.createObjectURL(new Blob([`Strongroom recovery codes (each works once)\n\n${codes.join('\n')}\n`], { type: 'text/plain' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: 'strongroom-recovery-codes.txt' });
  link.click();
  URL.revokeObjectURL(url);
}
