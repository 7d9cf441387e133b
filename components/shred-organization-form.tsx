'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { shredOrganizationAction } from '@/app/(app)/admin/keys/actions';
import { FormError, TextField } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';
import { callAction } from '@/lib/schemas/action-result';
import { countOf } from '@/lib/format';
import { shredConfirmation, type TShredConfirmation } from '@/lib/schemas/shred-organization';

/** Crypto-shreds the organization once its short name is typed (and the step-up given). */
export function ShredOrganizationForm({ slug }: { slug: string }) {
  const router = useRouter();
  const { stepUpForm, needsStepUp } = useStepUp();
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<TShredConfirmation>({ resolver: zodResolver(shredConfirmation(slug)), defaultValues: { confirmation: '' } });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await callAction(() => shredOrganizationAction(values));
    if (needsStepUp(result, 'organization.shred', () => onSubmit())) return;
    if (result.ok) {
      const data = result.data;
      setDone(
        'requested' in data
          ? `Destroying every secret needs a second administrator’s approval: the request went to ${countOf(data.approvers, 'administrator')} (Approvals). Nothing is destroyed until one approves.`
          : `Destroyed ${data.destroyedKeys} data keys and ${data.destroyedValues} sealed values; ${data.revokedCredentials} credentials revoked.`,
      );
      return router.refresh();
    }
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TShredConfirmation, { message: messages[0] });
    setFormError(result.formError ?? 'Nothing was destroyed.');
  });
  if (stepUpForm) return stepUpForm;
  if (done) return <p role="status">{done}</p>;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <TextField id="shred-confirmation" label={`Type ${slug} to confirm`} autoComplete="off" spellCheck={false} error={formState.errors.confirmation?.message} {...register('confirmation')} />
      <button type="submit" className="danger" disabled={formState.isSubmitting}>
        Destroy every secret of this organization
      </button>
    </form>
  );
}
