'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { saveOrganizationSettingsAction } from '@/app/(app)/admin/settings/actions';
import { FormError, SelectField, TextField } from '@/components/form/fields';
import { DEFAULT_LEAD_DAYS, defaultLeadDays, MAX_LEAD_DAYS } from '@/lib/expiry';
import { isCredentialProfile } from '@/lib/schemas/credential-profiles';
import { TIME_ZONES } from '@/lib/format';
import type { TOrganizationSettings } from '@/lib/schemas/organization-settings';

type Values = { timeZone: string; lead: Record<string, string> };

/** Time zone, and per credential type the days before expiry from which it counts as expiring. */
export function OrganizationSettingsForm({ timeZone, leadDays, profiles }: { timeZone: string; leadDays: Record<string, number>; profiles: { id: string; title: string }[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const { register, handleSubmit, setError, formState } = useForm<Values>({
    defaultValues: { timeZone, lead: Object.fromEntries(profiles.map((p) => [p.id, leadDays[p.id] ? String(leadDays[p.id]) : ''])) },
  });
  const onSubmit = handleSubmit(async (values) => {
    setMessage(null);
    const expiryLeadDays = Object.fromEntries(Object.entries(values.lead).filter(([, days]) => days.trim() !== ''));
    const result = await saveOrganizationSettingsAction({ timeZone: values.timeZone, expiryLeadDays: expiryLeadDays as TOrganizationSettings['expiryLeadDays'] });
    if (result.ok) {
      setMessage({ error: false, text: 'Saved.' });
      return router.refresh();
    }
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) {
      const [, profile] = /^expiryLeadDays\.(.+)$/.exec(name) ?? [];
      setError(profile ? (`lead.${profile}` as const) : (name as 'timeZone'), { message: messages[0] });
    }
    setMessage({ error: true, text: result.formError ?? 'Nothing was saved.' });
  });
  const { errors } = formState;
  return (
    <form onSubmit={onSubmit} noValidate>
      {message?.error ? <FormError message={message.text} /> : null}
      <SelectField id="settings-time-zone" label="Time zone" help="Dates on the Expiring and failing view are shown in it." error={errors.timeZone?.message} options={TIME_ZONES} {...register('timeZone')} />
      <fieldset>
        <legend>Expiry lead times (days)</legend>
        <p className="muted">
          From this many days before its expiry a credential counts as expiring and its people are reminded (then weekly, daily in the last week). Empty: the regime’s own lead time shown in the field (how long renewal takes there). 1 to {MAX_LEAD_DAYS}.
        </p>
        {profiles.map((profile) => (
          <TextField
            key={profile.id}
            id={`lead-${profile.id}`}
            label={profile.title}
            optional
            inputMode="numeric"
            placeholder={String(isCredentialProfile(profile.id) ? defaultLeadDays(profile.id) : DEFAULT_LEAD_DAYS)}
            error={errors.lead?.[profile.id]?.message}
            {...register(`lead.${profile.id}`)}
          />
        ))}
      </fieldset>
      <button type="submit" disabled={formState.isSubmitting}>
        Save settings
      </button>
      {message && !message.error ? (
        <span role="status" className="muted">
          {' '}
          {message.text}
        </span>
      ) : null}
    </form>
  );
}
