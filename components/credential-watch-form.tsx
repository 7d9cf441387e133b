'use client';

import { countOf } from '@/lib/format';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { setCredentialWatchAction } from '@/app/(app)/credentials/actions';
import { FormError, SelectField } from '@/components/form/fields';
import { TEST_INTERVALS, type TCredentialWatch } from '@/lib/schemas/organization-settings';

/** Who owns a credential and how often the scheduler tests it (administrators). */
export function CredentialWatchForm({
  credentialId,
  ownerId,
  testEveryHours,
  people,
}: {
  credentialId: string;
  ownerId: string | null;
  testEveryHours: number | null;
  people: { id: string; name: string; email: string }[];
}) {
  const router = useRouter();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const interval = testEveryHours === null ? '' : String(testEveryHours);
  const intervals = TEST_INTERVALS.some((i) => i.value === interval) ? TEST_INTERVALS : [...TEST_INTERVALS, { value: interval, label: `Every ${countOf(Number(interval), 'hour')}` }];
  const { register, handleSubmit, setError, formState } = useForm<TCredentialWatch>({ defaultValues: { credentialId, ownerId: ownerId ?? '', testEveryHours: interval } });
  const onSubmit = handleSubmit(async (values) => {
    setMessage(null);
    const result = await setCredentialWatchAction(values);
    if (result.ok) {
      setMessage({ error: false, text: 'Saved.' });
      return router.refresh();
    }
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof TCredentialWatch, { message: messages[0] });
    setMessage({ error: true, text: result.formError ?? 'Nothing was saved.' });
  });
  return (
    <form onSubmit={onSubmit} noValidate className="inline-form">
      {message?.error ? <FormError message={message.text} /> : null}
      <SelectField
        id="watch-owner"
        label="Owner"
        optional
        help="Told of expiry and failures, besides the administrators."
        error={formState.errors.ownerId?.message}
        options={[{ value: '', label: 'Nobody' }, ...people.map((p) => ({ value: p.id, label: `${p.name} (${p.email})` }))]}
        {...register('ownerId')}
      />
      <SelectField id="watch-interval" label="Scheduled test" error={formState.errors.testEveryHours?.message} options={intervals} {...register('testEveryHours')} />
      <button type="submit" className="secondary" disabled={formState.isSubmitting}>
        Save
      </button>
      {message && !message.error ? (
        <span role="status" className="muted">
          {message.text}
        </span>
      ) : null}
    </form>
  );
}
