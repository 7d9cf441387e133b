'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { inviteUserAction } from '@/app/(app)/admin/users/actions';
import { FormError, SelectField, TextField } from '@/components/form/fields';
import { IssuedLink } from '@/components/issued-link';
import { useStepUp } from '@/components/use-step-up';
import { ZInvite, type TInvite } from '@/lib/schemas/accounts';
import { ROLE_LABELS } from '@/lib/roles';

/** Invite by email and role; the link is shown once. */
export function InviteUserForm() {
  const router = useRouter();
  const [issued, setIssued] = useState<{ url: string; expiresAt: Date; mailed: boolean; email: string } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [requested, setRequested] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const { register, handleSubmit, setError, reset, formState } = useForm<TInvite>({ resolver: zodResolver(ZInvite), defaultValues: { email: '', role: 'VIEWER' } });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await inviteUserAction(values);
    if (result.ok) {
      reset();
      if ('requested' in result.data) {
        return setRequested(
          `Making ${values.email} an administrator needs a second administrator: ${result.data.approvers === 1 ? 'the other administrator was' : `${result.data.approvers} administrators were`} asked (Approvals). Once approved, the invitation goes out from them.`,
        );
      }
      return setIssued({ ...result.data, email: values.email });
    }
    if (needsStepUp(result, 'users', () => onSubmit())) return;
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TInvite, { message: messages[0] });
    if (!result.fieldErrors) setFormError(result.formError ?? 'Nobody was invited.');
  });
  if (stepUpForm) return stepUpForm;
  if (issued) {
    return (
      <IssuedLink
        id="invite-link"
        what={`Invitation link for ${issued.email}.`}
        url={issued.url}
        expiresAt={issued.expiresAt}
        mailedTo={issued.mailed ? issued.email : null}
        onDone={() => (setIssued(null), router.refresh())}
      />
    );
  }
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate className="inline-form">
      {requested && <p role="status">{requested}</p>}
      <FormError message={formError} />
      <TextField id="invite-email" label="Email" type="email" autoComplete="off" error={errors.email?.message} {...register('email')} />
      <SelectField
        id="invite-role"
        label="Role"
        error={errors.role?.message}
        options={Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }))}
        {...register('role')}
      />
      <button type="submit" disabled={formState.isSubmitting}>
        Invite
      </button>
    </form>
  );
}
