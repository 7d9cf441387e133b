'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { renewKsefCertificateAction } from '@/app/(app)/credentials/actions';
import { FormError } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';

/** Asks KSeF for a new authentication certificate, signed in with the current one; the result is the pending version. */
export function KsefRenewButton({ credentialId, version }: { credentialId: string; version: number }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const renew = async () => {
    setBusy(true);
    setError(null);
    setMessage(null);
    const result = await renewKsefCertificateAction({ credentialId, version });
    setBusy(false);
    if (needsStepUp(result, 'credentials', () => renew())) return;
    if (result.ok) setMessage(result.data.message);
    else setError(result.formError ?? 'Nothing was stored.');
    router.refresh();
  };
  if (stepUpForm) return stepUpForm;
  return (
    <span className="actions">
      <button type="button" className="secondary" disabled={busy} onClick={() => void renew()}>
        {busy ? 'Asking KSeF…' : 'Renew through KSeF'}
      </button>
      {message && <span role="status">{message}</span>}
      <FormError message={error} />
    </span>
  );
}
