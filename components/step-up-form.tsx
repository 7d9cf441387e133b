'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { startAuthentication } from '@simplewebauthn/browser';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { passkeyStepUpAction, passkeyStepUpOptionsAction, stepUpAction, stepUpMethodsAction } from '@/app/(app)/step-up/actions';
import { STEP_UP_PURPOSE_LABELS, ZStepUp, type TStepUp, type TStepUpPurpose } from '@/lib/schemas/step-up';
import { FormError, TextField } from '@/components/form/fields';

/** What the browser says when a passkey prompt ends without an answer, in words. */
export function passkeyPromptError(error: unknown): string {
  const name = (error as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') return 'The passkey prompt was closed or timed out. Try again.';
  if (name === 'InvalidStateError') return 'This authenticator already holds a passkey for your account.';
  if (name === 'SecurityError') return 'This browser refused passkeys for this address (passkeys need the address Strongroom is configured with, over HTTPS or on localhost).';
  return 'Your browser could not use a passkey here.';
}

/**
 * Asks for a passkey, or a code from the authenticator (or a recovery code), to open one purpose for
 * a few minutes. It is the page's heading on /step-up and a section of the form it interrupts
 * elsewhere; either way the cursor starts in the code field, since that is all there is to do.
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
  const [methods, setMethods] = useState<{ passkeys: number; passkeyRequired: boolean } | null>(null);
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    void stepUpMethodsAction({ purpose }).then((result) => result.ok && setMethods(result.data));
  }, [purpose]);
  const confirmWithPasskey = async () => {
    setFormError(null);
    setAsking(true);
    try {
      const options = await passkeyStepUpOptionsAction({ purpose });
      if (!options.ok) return setFormError(options.formError ?? 'That did not work. Try again.');
      let response;
      try {
        response = await startAuthentication({ optionsJSON: options.data });
      } catch (error) {
        return setFormError(passkeyPromptError(error));
      }
      const result = await passkeyStepUpAction({ purpose, response });
      if (result.ok) return onConfirmed();
      setFormError(result.formError ?? 'That did not work. Try again.');
    } finally {
      setAsking(false);
    }
  };
  const error = formState.errors.code?.message;
  const required = methods?.passkeyRequired ?? false;
  return (
    <form onSubmit={onSubmit} noValidate className="step-up" aria-labelledby="step-up-heading">
      <Heading id="step-up-heading">Confirm it is you</Heading>
      {required ? (
        <p>
          Use your passkey to {STEP_UP_PURPOSE_LABELS[purpose]}: your organization asks administrators to confirm with one.{' '}
          {methods?.passkeys ? 'Lost it? Use a recovery code.' : 'You have none yet: add one on Settings → Security (your authenticator code opens that), or use a recovery code.'}
        </p>
      ) : (
        <p>
          {methods?.passkeys ? 'Use your passkey, or enter' : 'Enter'} the current code from your authenticator app to {STEP_UP_PURPOSE_LABELS[purpose]}. Lost it? Use a
          recovery code.
        </p>
      )}
      <FormError id="step-up-error" message={formError} />
      {methods && methods.passkeys > 0 && (
        <p>
          <button type="button" disabled={asking} onClick={() => void confirmWithPasskey()}>
            {asking ? 'Waiting for your passkey…' : 'Use a passkey'}
          </button>
        </p>
      )}
      <TextField
        id="step-up-code"
        label={required ? 'Recovery code' : 'Authentication code'}
        // The prompt replaces what the user was doing, and the code is its only field.
        autoFocus
        inputMode="numeric"
        autoComplete="one-time-code"
        error={error}
        {...register('code')}
      />
      <button type="submit" className={methods?.passkeys ? 'secondary' : undefined} disabled={formState.isSubmitting}>
        {formState.isSubmitting ? 'Checking…' : 'Confirm'}
      </button>
    </form>
  );
}
