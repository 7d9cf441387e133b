'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { saveSsoSettingsAction } from '@/app/(app)/admin/sign-in/actions';
import { FormError, TextareaField, TextField } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';
import { ZSsoSettings, type TSsoSettings } from '@/lib/schemas/sso';

/** The organization's OpenID Connect provider. The client secret is write-only: blank keeps the stored one. */
export function SsoSettingsForm({ defaults, hasSecret }: { defaults: Omit<TSsoSettings, 'clientSecret'>; hasSecret: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const { register, handleSubmit, setError, formState, resetField, getValues } = useForm<TSsoSettings, unknown, z.output<typeof ZSsoSettings>>({
    resolver: zodResolver(ZSsoSettings),
    defaultValues: { ...defaults, clientSecret: '' },
  });
  // Checked here for the fields' messages; the server parses what was typed again.
  const onSubmit = handleSubmit(async () => {
    setMessage(null);
    const result = await saveSsoSettingsAction(getValues());
    if (needsStepUp(result, 'sso', () => onSubmit())) return;
    if (result.ok) {
      resetField('clientSecret');
      setMessage({
        error: false,
        text: result.data
          ? 'The provider answered. Changing single sign-on needs a second administrator: they were asked (Approvals). Nothing changes until one approves.'
          : 'Saved. The provider’s discovery document answered and names this issuer.',
      });
      return router.refresh();
    }
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TSsoSettings, { message: messages[0] });
    setMessage({ error: true, text: result.formError ?? 'Nothing was changed.' });
  });
  if (stepUpForm) return stepUpForm;
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      {message?.error ? <FormError message={message.text} /> : null}
      <TextField id="sso-issuer" label="Issuer URL" type="url" spellCheck={false} help="As the provider’s discovery document names it; checked when you save." error={errors.issuer?.message} {...register('issuer')} />
      <TextField id="sso-client-id" label="Client id" spellCheck={false} autoComplete="off" error={errors.clientId?.message} {...register('clientId')} />
      <TextField
        id="sso-client-secret"
        label="Client secret"
        type="password"
        autoComplete="new-password"
        optional={hasSecret}
        help={hasSecret ? 'Stored sealed. Leave blank to keep it; type a new one to replace it.' : 'Stored sealed; never shown again.'}
        error={errors.clientSecret?.message}
        {...register('clientSecret')}
      />
      <TextareaField
        id="sso-jit-domains"
        label="Create accounts at first sign-in for these email domains"
        optional
        rows={2}
        help="One per line, such as atlas-retail.ae. People of these domains get an account as Viewer (or their group’s role); everyone else needs an invitation."
        error={errors.jitDomains?.message}
        {...register('jitDomains')}
      />
      <TextField id="sso-groups-claim" label="Groups claim" optional spellCheck={false} help="The ID token claim that lists groups, often groups." error={errors.groupsClaim?.message} {...register('groupsClaim')} />
      <TextareaField
        id="sso-group-roles"
        label="Group → role"
        optional
        rows={3}
        help="One per line, first match wins: finance-ops = OPERATOR. VIEWER, OPERATOR or AUDITOR; a group never makes an administrator, and never changes one."
        error={errors.groupRoles?.message}
        {...register('groupRoles')}
      />
      <button type="submit" disabled={formState.isSubmitting}>
        Save single sign-on
      </button>
      {message && !message.error && <span role="status"> {message.text}</span>}
    </form>
  );
}
