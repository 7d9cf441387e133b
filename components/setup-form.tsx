'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { completeSetupAction } from '@/app/setup/actions';
import { FormError, TextField } from '@/components/form/fields';
import { NewPasswordFields } from '@/components/form/new-password-fields';
import { signInAndOpen } from '@/components/sign-in-and-open';
import { ZSetup, type TSetup } from '@/lib/schemas/accounts';

/** First run: the organization and its administrator; then signs in and goes on to two-factor. */
export function SetupForm({ token }: { token: string }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TSetup>({
    resolver: zodResolver(ZSetup),
    defaultValues: { token, organizationName: '', name: '', email: '', password: '', repeatPassword: '' },
  });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await completeSetupAction(values);
    if (!result.ok) {
      for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TSetup, { message: messages[0] });
      return setFormError(result.formError ?? 'Nothing was created.');
    }
    await signInAndOpen(router, { email: result.data.email, password: values.password }, '/settings/security?next=/dashboard');
  });
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <input type="hidden" {...register('token')} />
      <TextField id="organization-name" label="Organization" autoComplete="organization" error={errors.organizationName?.message} {...register('organizationName')} />
      <TextField id="admin-name" label="Your name" autoComplete="name" error={errors.name?.message} {...register('name')} />
      <TextField id="admin-email" label="Your email" type="email" autoComplete="username" error={errors.email?.message} {...register('email')} />
      <NewPasswordFields register={register} errors={errors} />
      <button type="submit" disabled={formState.isSubmitting}>
        {formState.isSubmitting ? 'Setting up…' : 'Create organization'}
      </button>
    </form>
  );
}
