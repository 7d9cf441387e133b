'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { acceptInvitationAction } from '@/app/invite/actions';
import { FormError, TextField } from '@/components/form/fields';
import { NewPasswordFields } from '@/components/form/new-password-fields';
import { signInAndOpen } from '@/components/sign-in-and-open';
import { ZAcceptInvite, type TAcceptInvite } from '@/lib/schemas/accounts';
import { ADMINS, type TRole } from '@/lib/roles';

/** Name and password for an invited address; then signs in (administrators go on to two-factor). */
export function AcceptInvitationForm({ token, email, role }: { token: string; email: string; role: TRole }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TAcceptInvite>({
    resolver: zodResolver(ZAcceptInvite(email)),
    defaultValues: { token, name: '', password: '', repeatPassword: '' },
  });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await acceptInvitationAction(values);
    if (!result.ok) {
      for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TAcceptInvite, { message: messages[0] });
      return setFormError(result.formError ?? 'Nothing was created.');
    }
    await signInAndOpen(router, { email, password: values.password }, ADMINS.includes(role) ? '/settings/security?next=/dashboard' : '/dashboard');
  });
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <input type="hidden" {...register('token')} />
      <input type="email" value={email} autoComplete="username" readOnly hidden />
      <TextField id="join-name" label="Your name" autoComplete="name" error={errors.name?.message} {...register('name')} />
      <NewPasswordFields register={register} errors={errors} />
      <button type="submit" disabled={formState.isSubmitting}>
        {formState.isSubmitting ? 'Joining…' : 'Join'}
      </button>
    </form>
  );
}
