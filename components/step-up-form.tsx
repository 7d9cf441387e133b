'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { stepUpAction } from '@/app/(app)/step-up/actions';
import { STEP_UP_PURPOSE_LABELS, ZStepUp, type TStepUp, type TStepUpPurpose } from '@/lib/schemas/step-up';
import { FormError, TextField } from '@/components/form/fields';

/**
 * Asks for a code from the authenticator (or a recovery code) to open one purpose for a few minutes.
 * It is the page's heading on /step-up and a section of the form it interrupts elsewhere; either way
 * the cursor starts in the code field, since that is all there is to do.
 */
export function StepUpForm({ purpose, onConfirmed, heading = 'h2' }: { purpose: TStepUpPurpose; onConfirmed: () => void; heading?: 'h1' | 'h2' }) {
  const Heading = heading;
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TStepUp>({ resolver: zodResolver(ZStepUp), defaultValues: { code: '' } });
  const onSubmit = handleSubmit(async ({ code }) => {
    setFormError(null);
    const result = await stepUpAction({ purpose, code });
    if (result.ok) return onConfirmed();
    const message = result.fieldErrors?.code?.[0];
    if (message) setError('code', { message });
    else setFormError(result.formError ?? 'That did not work. Try again.');
  });
  const error = formState.errors.code?.message;
  return (
    <form onSubmit={onSubmit} noValidate className="step-up" aria-labelledby="step-up-heading">
      <Heading id="step-up-heading">Confirm it is you</Heading>
      <p>Enter the current code from your authenticator app to {STEP_UP_PURPOSE_LABELS[purpose]}. Lost it? Use a recovery code.</p>
      <FormError id="step-up-error" message={formError} />
      <TextField
        id="step-up-code"
        label="Authentication code"
        // The prompt replaces what the user was doing, and the code is its only field.
        autoFocus
        inputMode="numeric"
        autoComplete="one-time-code"
        error={error}
        {...register('code')}
      />
      <button type="submit" disabled={formState.isSubmitting}>
        {formState.isSubmitting ? 'Checking…' : 'Confirm'}
      </button>
    </form>
  );
}
