'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { startRegistration } from '@simplewebauthn/browser';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { passkeyRegistrationOptionsAction, registerPasskeyAction, removePasskeyAction } from '@/app/(app)/settings/security/actions';
import { FormError, TextField } from '@/components/form/fields';
import { passkeyPromptError } from '@/components/step-up-form';
import { useStepUp } from '@/components/use-step-up';
import { MAX_PASSKEYS, ZPasskeyName } from '@/lib/schemas/passkeys';

const ZAddPasskey = z.object({ name: ZPasskeyName });

export interface PasskeyRow {
  id: string;
  name: string;
  added: string;
  lastUsed: string | null;
}

/** The user's passkeys, with "remove" each, and a form to add one (both behind the `passkeys` step-up). */
export function PasskeysSection({ passkeys }: { passkeys: PasskeyRow[] }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const { register, handleSubmit, setError, reset, formState } = useForm<z.input<typeof ZAddPasskey>>({ resolver: zodResolver(ZAddPasskey), defaultValues: { name: '' } });

  const add = handleSubmit(async ({ name }) => {
    setFormError(null);
    const options = await passkeyRegistrationOptionsAction();
    if (needsStepUp(options, 'passkeys', () => add())) return;
    if (!options.ok) return setFormError(options.formError ?? 'Nothing was added.');
    let response;
    try {
      response = await startRegistration({ optionsJSON: options.data });
    } catch (error) {
      return setFormError(passkeyPromptError(error));
    }
    const result = await registerPasskeyAction({ name, response });
    if (result.ok) {
      reset();
      return router.refresh();
    }
    const message = result.fieldErrors?.name?.[0];
    if (message) setError('name', { message });
    else setFormError(result.formError ?? 'Nothing was added.');
  });

  const remove = async (passkey: PasskeyRow) => {
    setFormError(null);
    const result = await removePasskeyAction({ passkeyId: passkey.id });
    if (needsStepUp(result, 'passkeys', () => remove(passkey))) return;
    if (result.ok) return router.refresh();
    setFormError(result.formError ?? 'Nothing was removed.');
  };

  if (stepUpForm) return stepUpForm;
  return (
    <>
      <FormError message={formError} />
      {passkeys.length === 0 ? (
        <p>No passkeys yet. A passkey (your device’s fingerprint, face or PIN, or a security key) confirms changes without a code, and no fake site can ask for it.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Your passkeys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {passkeys.map((passkey) => (
              <tr key={passkey.id}>
                <td>{passkey.name}</td>
                <td>{passkey.added}</td>
                <td>{passkey.lastUsed ?? 'never'}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => void remove(passkey)}>
                    Remove <span className="visually-hidden">{passkey.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {passkeys.length < MAX_PASSKEYS && (
        <form noValidate onSubmit={add}>
          <TextField id="passkey-name" label="Name of the new passkey" help="Where it lives, e.g. “Work laptop” or “YubiKey”." error={formState.errors.name?.message} {...register('name')} />
          <button type="submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? 'Waiting for your device…' : 'Add a passkey'}
          </button>
        </form>
      )}
    </>
  );
}
