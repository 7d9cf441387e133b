'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { zatcaStepAction } from '@/app/(app)/credentials/actions';
import { FormError, TextField } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';

type Step = 'compliance' | 'production' | 'renew';

const BUTTONS: Record<Step, string> = { compliance: 'Generate key and request compliance CSID', production: 'Request production CSID', renew: 'Generate new key and renew CSID' };

/** The next onboarding step for an EGS unit; the OTP is asked for where ZATCA wants one. */
export function ZatcaOnboardingForm({ credentialId, version, step }: { credentialId: string; version: number; step: Step }) {
  const router = useRouter();
  const [otp, setOtp] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<{ form: string; fields: Record<string, string[]> } | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const needsOtp = step !== 'production';

  const submit = async () => {
    setBusy(true);
    setError(null);
    setMessage(null);
    const result = await zatcaStepAction({ credentialId, version, step, ...(needsOtp ? { otp } : {}) });
    setBusy(false);
    if (needsStepUp(result, 'credentials', () => submit())) return;
    if (!result.ok) return setError({ form: result.formError ?? 'Nothing was stored.', fields: result.fieldErrors ?? {} });
    setOtp('');
    setMessage(result.data.message);
    router.refresh();
  };

  if (stepUpForm) return stepUpForm;
  const settingsErrors = Object.entries(error?.fields ?? {}).filter(([name]) => name !== 'otp');
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <FormError message={error?.form} />
      {settingsErrors.length > 0 && (
        <ul className="field-error">
          {settingsErrors.map(([name, messages]) => (
            <li key={name}>{messages[0]}</li>
          ))}
        </ul>
      )}
      {needsOtp && (
        <TextField
          id="zatca-otp"
          label={step === 'renew' ? 'OTP for “Renewing Existing CSID”' : 'OTP from the Fatoora portal'}
          help="Six digits, valid for one hour. It is sent to ZATCA once and not kept."
          inputMode="numeric"
          autoComplete="one-time-code"
          value={otp}
          onChange={(event) => setOtp(event.target.value)}
          error={error?.fields.otp?.[0]}
        />
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Asking ZATCA…' : BUTTONS[step]}
      </button>
      {message && <p role="status">{message}</p>}
    </form>
  );
}
