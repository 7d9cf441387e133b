'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { changePasswordAction } from '@/app/(app)/settings/security/actions';
import { FormError, TextField } from '@/components/form/fields';
import { NewPasswordFields } from '@/components/form/new-password-fields';
import { ZChangePassword, type TChangePassword } from '@/lib/schemas/accounts';

export function ChangePasswordForm({ email }: { email: string }) {
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<TChangePassword>({
    resolver: zodResolver(ZChangePassword(email)),
    defaultValues: { currentPassword: '', password: '', repeatPassword: '' },
  });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    setDone(null);
    const result = await changePasswordAction(values);
    if (result.ok) {
      reset();
      const others = result.data.sessionsEnded;
      return setDone(`Password changed.${others ? ` ${others} other session${others === 1 ? '' : 's'} signed out.` : ''}`);
    }
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TChangePassword, { message: messages[0] });
    if (!result.fieldErrors) setFormError(result.formError ?? 'Nothing was changed.');
  });
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      {done && <p role="status">{done}</p>}
      <input type="email" value={email} autoComplete="username" readOnly hidden />
      <TextField id="current-password" label="Current password" type="password" autoComplete="current-password" error={errors.currentPassword?.message} {...register('currentPassword')} />
      <NewPasswordFields register={register} errors={errors} label="New password" />
      <button type="submit" disabled={formState.isSubmitting}>
        Change password
      </button>
    </form>
  );
}
