'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { changeTwoFactorAction } from '@/app/(app)/settings/security/actions';
import { ZReauthenticate, type TReauthenticate } from '@/lib/schemas/step-up';

/** Password + current code (or recovery code) to replace the authenticator or turn two-factor off. */
export function ChangeTwoFactorForm() {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TReauthenticate>({ resolver: zodResolver(ZReauthenticate), defaultValues: { password: '', code: '' } });
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
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="field">
        <label htmlFor="reauth-password">Password</label>
        <input id="reauth-password" type="password" autoComplete="current-password" aria-invalid={errors.password ? 'true' : 'false'} aria-describedby={errors.password ? 'reauth-password-error' : undefined} {...register('password')} />
        {errors.password && (
          <p id="reauth-password-error" className="field-error">
            {errors.password.message}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="reauth-code">Current code or recovery code</label>
        <input id="reauth-code" autoComplete="one-time-code" aria-invalid={errors.code ? 'true' : 'false'} aria-describedby={errors.code ? 'reauth-code-error' : undefined} {...register('code')} />
        {errors.code && (
          <p id="reauth-code-error" className="field-error">
            {errors.code.message}
          </p>
        )}
      </div>
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
