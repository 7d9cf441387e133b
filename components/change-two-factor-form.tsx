'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { changeTwoFactorAction } from '@/app/(app)/settings/security/actions';
import { ZReauthenticate, ZReauthenticateWithoutPassword, type TReauthenticate } from '@/lib/schemas/step-up';
import { FormError, TextField } from '@/components/form/fields';

/** Password (none for an account of the identity provider) + current code (or recovery code) to replace the authenticator or turn two-factor off. */
export function ChangeTwoFactorForm({ hasPassword }: { hasPassword: boolean }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TReauthenticate>({ resolver: zodResolver(hasPassword ? ZReauthenticate : ZReauthenticateWithoutPassword), defaultValues: { password: '', code: '' } });
  const submit = (then: 'remove' | 'reenroll') =>
    handleSubmit(async (values) => {
      setFormError(null);
      const result = await changeTwoFactorAction({ ...values, then });
      if (result.ok) return router.refresh();
      for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TReauthenticate, { message: messages[0] });
      if (!result.fieldErrors) setFormError(result.formError ?? 'Nothing was changed.');
    });
  const { errors } = formState;
  return (
    <form noValidate onSubmit={submit('reenroll')}>
      <FormError message={formError} />
      {hasPassword ? (
        <TextField id="reauth-password" label="Password" type="password" autoComplete="current-password" error={errors.password?.message} {...register('password')} />
      ) : (
        <FormError message={errors.password?.message} />
      )}
      <TextField id="reauth-code" label="Current code or recovery code" autoComplete="one-time-code" error={errors.code?.message} {...register('code')} />
      <div className="actions">
        <button type="submit" disabled={formState.isSubmitting}>
          Replace authenticator
        </button>
        <button type="button" className="danger" disabled={formState.isSubmitting} onClick={submit('remove')}>
          Turn off two-factor
        </button>
      </div>
    </form>
  );
}
