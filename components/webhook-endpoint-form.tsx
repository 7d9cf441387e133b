'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { createWebhookEndpointAction } from '@/app/(app)/admin/webhooks/actions';
import { ChoiceGroup, FormError, TextField } from '@/components/form/fields';
import { ShownOnce } from '@/components/shown-once';
import { useStepUp } from '@/components/use-step-up';
import { NOTIFICATION_EVENTS, WEBHOOK_EVENT_TYPES, ZWebhookEndpointCreate, type TWebhookEndpointCreate } from '@/lib/notifications';

/** Registers an HTTPS endpoint for chosen events; shows its signing secret once. */
export function WebhookEndpointForm() {
  const router = useRouter();
  const [secret, setSecret] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const { register, handleSubmit, setError, formState } = useForm<TWebhookEndpointCreate>({
    resolver: zodResolver(ZWebhookEndpointCreate),
    defaultValues: { url: '', description: '', eventTypes: ['credential.expiring', 'credential.expired'] },
  });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await createWebhookEndpointAction(values);
    if (result.ok) return setSecret(result.data.signingSecret);
    if (needsStepUp(result, 'webhooks', () => onSubmit())) return;
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TWebhookEndpointCreate, { message: messages[0] });
    setFormError(result.formError ?? 'Nothing was added.');
  });

  if (stepUpForm) return stepUpForm;
  if (secret) {
    return (
      <ShownOnce title="Signing secret" id="webhook-signing-secret" value={secret} onDone={() => (setSecret(null), router.refresh())}>
        Put it in the receiving service to verify the <code>webhook-signature</code> header (Standard Webhooks); Strongroom keeps it sealed.
      </ShownOnce>
    );
  }
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <TextField id="webhook-url" label="Endpoint URL" type="url" help="HTTPS; private and internal addresses are refused." error={errors.url?.message} {...register('url')} />
      <TextField id="webhook-description" label="Description" optional error={errors.description?.message} {...register('description')} />
      <ChoiceGroup id="webhook-events" legend="Events" error={errors.eventTypes?.message}>
        {WEBHOOK_EVENT_TYPES.map((event) => (
          <label key={event} className="check">
            <input type="checkbox" value={event} {...register('eventTypes')} /> {NOTIFICATION_EVENTS[event]} <code>{event}</code>
          </label>
        ))}
      </ChoiceGroup>
      <button type="submit" disabled={formState.isSubmitting}>
        Add endpoint
      </button>
    </form>
  );
}
