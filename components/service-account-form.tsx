'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { createServiceAccountAction } from '@/app/(app)/admin/service-accounts/actions';
import { ShownOnce } from '@/components/shown-once';
import { useStepUp } from '@/components/use-step-up';
import { SERVICE_SCOPES, ZServiceAccountCreate, type TServiceAccountCreate } from '@/lib/schemas/service-account';
import { ChoiceGroup, FormError, TextField } from '@/components/form/fields';

export function ServiceAccountForm({ entities }: { entities: { id: string; name: string }[] }) {
  const router = useRouter();
  const [key, setKey] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const { register, handleSubmit, formState } = useForm<TServiceAccountCreate>({
    resolver: zodResolver(ZServiceAccountCreate),
    defaultValues: { name: '', scopes: ['token:read'], legalEntityIds: [] },
  });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await createServiceAccountAction(values);
    if (result.ok) return setKey(result.data.key);
    if (needsStepUp(result, 'service-account.keys', () => onSubmit())) return;
    setFormError(result.formError ?? 'Nothing was created.');
  });

  if (stepUpForm) return stepUpForm;
  if (key) {
    return (
      <ShownOnce title="API key" id="new-api-key" value={key} onDone={() => (setKey(null), router.refresh())}>
        Copy it now into the service’s secret store; Strongroom keeps only a hash.
      </ShownOnce>
    );
  }
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <TextField id="sa-name" label="Name" error={errors.name?.message} {...register('name')} />
      <ChoiceGroup id="sa-scopes" legend="Permissions" error={errors.scopes?.message}>
        {Object.entries(SERVICE_SCOPES).map(([scope, label]) => (
          <label key={scope} className="check">
            <input type="checkbox" value={scope} {...register('scopes')} /> {label} <code>{scope}</code>
          </label>
        ))}
      </ChoiceGroup>
      <ChoiceGroup id="sa-entities" legend="Legal entities" error={errors.legalEntityIds?.message}>
        {entities.map((entity) => (
          <label key={entity.id} className="check">
            <input type="checkbox" value={entity.id} {...register('legalEntityIds')} /> {entity.name}
          </label>
        ))}
      </ChoiceGroup>
      <button type="submit" disabled={formState.isSubmitting}>
        Create service account
      </button>
    </form>
  );
}
