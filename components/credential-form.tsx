'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useForm, type FieldPath } from 'react-hook-form';
import Link from 'next/link';
import { createCredentialAction, stageSecretsAction, updateCredentialAction } from '@/app/(app)/credentials/actions';
import { ApprovalNotice, type ApprovalOutlook } from '@/components/approval-notice';
import { FileField, FormError, SelectField, TextField } from '@/components/form/fields';
import { PemField } from '@/components/form/pem-field';
import { pemFromFile } from '@/lib/pem-files';
import { useStepUp } from '@/components/use-step-up';
import { callAction } from '@/lib/schemas/action-result';
import { CREDENTIAL_PROFILES, credentialFormSchema, MAX_PKCS12_FILE_BYTES, SECRET_EXPIRY_FIELD, type ProfileField, type TCredentialForm, type TCredentialProfile } from '@/lib/schemas/credential-profiles';

/** A stored secret as the form may know it: set or not, and its fingerprint. Never its value. */
export interface StoredField {
  name: string;
  value: string | null;
  set: boolean;
  fingerprint: string | null;
}

type Props = { approval: ApprovalOutlook } & (
  | { mode: 'create'; profile: TCredentialProfile; legalEntityId: string }
  | { mode: 'edit'; profile: TCredentialProfile; credentialId: string; version: number; label: string; stored: StoredField[]; environment: string }
  /** New secrets as a pending version: only the secret fields (and the secret's end date), all empty. */
  | { mode: 'stage'; profile: TCredentialProfile; credentialId: string; version: number; label: string; stored: StoredField[]; environment: string }
);

/** Fields a pending version can set. */
const staged = (f: ProfileField) => f.secret || f.name === SECRET_EXPIRY_FIELD;

export function CredentialForm(props: Props) {
  const router = useRouter();
  const definition = CREDENTIAL_PROFILES[props.profile];
  const stored = new Map((props.mode === 'create' ? [] : props.stored).map((f) => [f.name, f]));
  const [formError, setFormError] = useState<string | null>(null);
  // A production change waits for a second administrator: say so, and where to follow it.
  const [submitted, setSubmitted] = useState<string | null>(null);
  const [replacing, setReplacing] = useState<Set<string>>(new Set());
  // The step-up grant can lapse while the form is open: ask for a code in place, keep the input.
  const { stepUpForm, needsStepUp } = useStepUp();
  const defaults = Object.fromEntries(definition.fields.map((f) => [f.name, f.secret ? '' : (stored.get(f.name)?.value ?? f.defaultValue ?? '')]));
  const form = useForm<TCredentialForm>({
    resolver: zodResolver(credentialFormSchema(definition, props.mode === 'create' ? 'create' : 'edit')) as never,
    defaultValues: { label: props.mode === 'create' ? '' : props.label, environment: 'SANDBOX', values: defaults },
  });
  const { register, handleSubmit, setError, setValue, setFocus, formState, watch } = form;
  const environment = props.mode === 'create' ? watch('environment') : props.environment;
  // "Replace" swaps the fingerprint for an empty field: put the cursor in it.
  const [focusNext, setFocusNext] = useState<FieldPath<TCredentialForm> | null>(null);
  useEffect(() => {
    if (focusNext) setFocus(focusNext);
  }, [focusNext, setFocus]);
  const errorOf = (name: string) => name.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], formState.errors) as { message?: string } | undefined;

  const onSubmit = handleSubmit(async (data) => {
    setFormError(null);
    const values = Object.fromEntries(Object.entries(data.values).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
    const result = await callAction(() =>
      props.mode === 'create'
        ? createCredentialAction({ legalEntityId: props.legalEntityId, profile: props.profile, environment: data.environment as 'SANDBOX', label: data.label, values })
        : props.mode === 'edit'
          ? updateCredentialAction({ credentialId: props.credentialId, version: props.version, label: data.label, values })
          : stageSecretsAction({ credentialId: props.credentialId, version: props.version, values: Object.fromEntries(Object.entries(values).filter(([name]) => definition.fields.some((f) => f.name === name && staged(f)))) }),
    );
    if (result.ok) {
      if (!result.data.applied) return setSubmitted(result.data.message);
      router.push(`/credentials/${result.data.credentialId}`);
      router.refresh();
      return;
    }
    if (needsStepUp(result, 'credentials', () => onSubmit())) return;
    setFormError(result.formError ?? 'Nothing was saved.');
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) {
      if (name !== '_form') setError(name as FieldPath<TCredentialForm>, { message: messages[0] });
    }
  });

  const input = (f: ProfileField) => {
    const name = `values.${f.name}` as const;
    const current = stored.get(f.name);
    if (props.mode === 'stage' && !staged(f)) return null;
    if (f.secret && current?.set && !replacing.has(f.name) && props.mode !== 'stage') {
      return (
        <div className="field" key={f.name}>
          <span className="label">{f.label}</span>
          <p className="secret-set">
            Set · fingerprint <code>{current.fingerprint}</code> ·{' '}
            <button type="button" className="link" onClick={() => {
                setReplacing(new Set(replacing).add(f.name));
                setFocusNext(name);
              }} aria-label={`Replace ${f.label}`}>
              Replace
            </button>
          </p>
        </div>
      );
    }
    const field = { id: `field-${f.name}`, label: f.label, optional: !f.required, help: f.help, error: errorOf(name)?.message };
    if (f.kind === 'pem') {
      const pemLabel = f.name === 'privateKey' ? 'PRIVATE KEY' : 'CERTIFICATE';
      return (
        <PemField
          key={f.name}
          {...field}
          rows={6}
          spellCheck={false}
          autoComplete="off"
          readFile={(bytes) => pemFromFile(bytes, pemLabel)}
          onText={(text) => setValue(name, text, { shouldValidate: true })}
          {...register(name)}
        />
      );
    }
    if (f.kind === 'select') return <SelectField key={f.name} {...field} options={f.options ?? []} {...register(name)} />;
    if (f.kind === 'file') return <FileField key={f.name} {...field} accept=".p12,.pfx,application/x-pkcs12" maxBytes={MAX_PKCS12_FILE_BYTES} onFile={(base64) => setValue(name, base64, { shouldValidate: true })} />;
    return <TextField key={f.name} {...field} type={f.secret ? 'password' : f.kind === 'url' ? 'url' : f.kind === 'date' ? 'date' : 'text'} autoComplete={f.secret ? 'new-password' : 'off'} spellCheck={false} {...register(name)} />;
  };

  if (stepUpForm) return stepUpForm;
  if (submitted) {
    return (
      <div role="status" className="panel">
        <p>{submitted}</p>
        <p>
          <Link href="/approvals">See the change requests</Link>
          {props.mode !== 'create' && (
            <>
              {' · '}
              <Link href={`/credentials/${props.credentialId}`}>Back to the credential</Link>
            </>
          )}
        </p>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError id="credential-form-error" message={formError} />
      {props.mode !== 'stage' && <TextField id="field-label" label="Label" error={errorOf('label')?.message} {...register('label')} />}
      {props.mode === 'create' && (
        <SelectField
          id="field-environment"
          label="Environment"
          options={[
            { value: 'SANDBOX', label: 'Sandbox' },
            { value: 'PRODUCTION', label: 'Production' },
          ]}
          {...register('environment')}
        />
      )}
      <ApprovalNotice approval={props.approval} environment={environment ?? 'SANDBOX'} id="environment-approval" />
      {definition.fields.map(input)}
      <button type="submit" disabled={formState.isSubmitting}>
        {formState.isSubmitting ? 'Saving…' : props.mode === 'create' ? 'Create credential' : props.mode === 'edit' ? 'Save changes' : 'Set as pending version'}
      </button>
    </form>
  );
}
