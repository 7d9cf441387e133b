'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { startEnrollmentAction } from '@/app/(app)/settings/security/actions';
import { ZStartEnrollment, type TStartEnrollment } from '@/lib/schemas/step-up';

/** First step of setting up two-factor: the password, then the page shows a key to scan. */
export function StartEnrollmentForm() {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TStartEnrollment>({ resolver: zodResolver(ZStartEnrollment), defaultValues: { password: '' } });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await startEnrollmentAction(values);
    if (result.ok) return router.refresh();
    const message = result.fieldErrors?.password?.[0];
    if (message) setError('password', { message });
    else setFormError(result.formError ?? 'Nothing was changed.');
  });
  const error = formState.errors.password?.message;
  return (
    <form onSubmit={onSubmit} noValidate>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="field">
        <label htmlFor="enroll-password">Password</label>
        <input id="enroll-password" type="password" autoComplete="current-password" aria-invalid={error ? 'true' : 'false'} aria-describedby={error ? 'enroll-password-error' : undefined} {...register('password')} />
        {error && (
          <p id="enroll-password-error" className="field-error">
            {error}
          </p>
        )}
      </div>
      <button type="submit" disabled={formState.isSubmitting}>
        Set up two-factor
      </button>
    </form>
  );
}
