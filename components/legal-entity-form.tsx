'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { saveLegalEntityAction } from '@/app/(app)/entities/actions';
import { FormError, SelectField, TextField } from '@/components/form/fields';
import { ZLegalEntity, type TLegalEntity } from '@/lib/schemas/legal-entity';
import { taxIdRule } from '@/lib/tax-ids';

/**
 * A legal entity's name, country and tax id; the tax id is checked with the country's rule as it is
 * typed. The country names come from the server (`countryOptions`): the browser's own names and
 * collation differ from Node's, and a list built on both sides would not hydrate.
 */
export function LegalEntityForm({ entity, countries }: { entity?: TLegalEntity & { id: string }; countries: { value: string; label: string }[] }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, watch, formState } = useForm<TLegalEntity>({
    resolver: zodResolver(ZLegalEntity),
    defaultValues: { name: entity?.name ?? '', country: entity?.country ?? '', taxId: entity?.taxId ?? '', externalRef: entity?.externalRef ?? '' },
  });
  const country = watch('country');
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await saveLegalEntityAction(values, entity?.id);
    if (result.ok) return router.push(`/entities/${result.data.id}`);
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TLegalEntity, { message: messages[0] });
    if (!result.fieldErrors) setFormError(result.formError ?? 'Nothing was saved.');
  });
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError message={formError} />
      <TextField id="entity-name" label="Registered name" error={errors.name?.message} {...register('name')} />
      <SelectField id="entity-country" label="Country" error={errors.country?.message} options={[{ value: '', label: 'Choose…' }, ...countries]} {...register('country')} />
      <TextField id="entity-tax-id" label="Tax id" help={country ? taxIdRule(country) : 'Choose the country first: its rule applies.'} error={errors.taxId?.message} {...register('taxId')} />
      <TextField
        id="entity-external-ref"
        label="Your reference"
        optional
        help="Your own code for the entity (ERP company code …), for exports."
        error={errors.externalRef?.message}
        {...register('externalRef')}
      />
      <button type="submit" disabled={formState.isSubmitting}>
        {entity ? 'Save changes' : 'Add legal entity'}
      </button>
    </form>
  );
}
