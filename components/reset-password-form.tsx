'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { resetPasswordAction } from '@/app/reset-password/actions';
import { FormError } from '@/components/form/fields';
import { NewPasswordFields } from '@/components/form/new-password-fields';
import { signInAndOpen } from '@/components/sign-in-and-open';
import { ZResetPassword } from '@/lib/schemas/accounts';

type Values = { token: string; password: string; repeatPassword: string };

/** A new password through a reset link; then signs in. */
export function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<Values>({
    resolver: zodResolver(ZResetPassword(email)),
    defaultValues: { token, password: '', repeatPassword: '' },
  });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await resetPasswordAction(values);
    if (!result.ok) {
      for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof Values, { message: messages[0] });
      return setFormError(result.formError ?? 'Nothing was changed.');
    }
    await signInAndOpen(router, { email, password: values.password }, '/dashboard');
  });
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <input type="hidden" {...register('token')} />
      <input type="email" value={email} autoComplete="username" readOnly hidden />
      <NewPasswordFields register={register} errors={formState.errors} label="New password" />
      <button type="submit" disabled={formState.isSubmitting}>
        Set password
      </button>
    </form>
  );
}
