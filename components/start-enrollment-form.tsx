'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { startEnrollmentAction } from '@/app/(app)/settings/security/actions';
import { ZStartEnrollment, ZStartEnrollmentWithoutPassword, type TStartEnrollment } from '@/lib/schemas/step-up';
import { FormError, TextField } from '@/components/form/fields';

/**
 * First step of setting up two-factor: the password (or, for an account that signs in through the
 * identity provider, that sign-in if recent), then the page shows a key to scan.
 */
export function StartEnrollmentForm({ hasPassword }: { hasPassword: boolean }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TStartEnrollment>({ resolver: zodResolver(hasPassword ? ZStartEnrollment : ZStartEnrollmentWithoutPassword), defaultValues: { password: '' } });
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
      <FormError message={formError} />
      {hasPassword ? (
        <TextField id="enroll-password" label="Password" type="password" autoComplete="current-password" error={error} {...register('password')} />
      ) : (
        <FormError message={error} />
      )}
      <button type="submit" disabled={formState.isSubmitting}>
        Set up two-factor
      </button>
    </form>
  );
}
