'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { SIGN_IN_LOCKED_PREFIX, SIGN_IN_SSO_ONLY, ZSignIn, type TSignIn } from '@/lib/schemas/sign-in';
import { FormError, TextField } from '@/components/form/fields';

export function SignInForm() {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<TSignIn>({ resolver: zodResolver(ZSignIn), defaultValues: { email: '', password: '' } });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await signIn('credentials', { ...values, redirect: false });
    if (result?.ok && !result.error) {
      router.replace('/dashboard');
      router.refresh();
      return;
    }
    setFormError(
      result?.error?.startsWith(SIGN_IN_LOCKED_PREFIX) || result?.error === SIGN_IN_SSO_ONLY
        ? result.error
        : result?.error === 'CredentialsSignin'
          ? 'Email or password is incorrect.'
          : 'Sign-in is unavailable right now. Try again in a moment.',
    );
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby={formError ? 'sign-in-error' : undefined}>
      <FormError id="sign-in-error" message={formError} />
      <TextField id="email" label="Email" type="email" autoComplete="username" error={errors.email?.message} {...register('email')} />
      <TextField id="password" label="Password" type="password" autoComplete="current-password" error={errors.password?.message} {...register('password')} />
      <button type="submit" disabled={isSubmitting}>
        {isSubmitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
