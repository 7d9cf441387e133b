import 'server-only';
import { profileValuesSchema, SECRET_EXPIRY_FIELD, type CredentialProfileDefinition, type TCredentialProfile } from '@/lib/schemas/credential-profiles';
import { checkCertificateValues } from '@/lib/server/credentials/certificate-checks';
import { CertificateProblem } from '@/lib/server/credentials/inspect-certificate';
import { now } from '@/lib/server/clock';

export type FieldErrors = Record<string, string[]>;

export type ValidatedValues =
  | {
      ok: true;
      /** Non-secret fields, stored in clear as the credential's config. */
      config: Record<string, string>;
      /** Secret fields given in this request (to seal). */
      secrets: Record<string, string>;
      /**
       * From the certificate, or the secret's end date, when the profile has one: null when that
       * field is empty; undefined when this profile says nothing (keep what is stored).
       */
      expiresAt: Date | null | undefined;
    }
  | { ok: false; fieldErrors: FieldErrors };

interface ValidateOptions {
  profileId: TCredentialProfile;
  profile: CredentialProfileDefinition;
  mode: 'create' | 'edit';
  values: Record<string, string>;
  /** On edit: the stored secrets a cross-field check needs when only one side changes. */
  storedSecrets?: Record<string, string>;
  /** On edit: which secret fields already hold a value. */
  setSecretFields?: ReadonlySet<string>;
}

/** Names of stored secrets `validateCredentialValues` may need on edit, to check a certificate against its key. */
export const pairedSecrets = (profile: CredentialProfileDefinition): string[] =>
  profile.fields.filter((f) => f.secret && ['privateKey', 'pkcs12', 'pkcs12Password'].includes(f.name)).map((f) => f.name);

/**
 * Checks values against the profile: field syntax (the shared zod schema), required secrets, and
 * for certificates the regime's checks (certificate-checks.ts). The expiry is the certificate's
 * notAfter or the secret's end date, never past a date the regime stops accepting it.
 */
export async function validateCredentialValues(options: ValidateOptions): Promise<ValidatedValues> {
  const { profile, mode, values } = options;
  const parsed = profileValuesSchema(profile, mode).safeParse(values);
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '_form');
      (fieldErrors[name] ??= []).push(issue.message);
    }
    return { ok: false, fieldErrors };
  }
  const clean = Object.fromEntries(Object.entries(parsed.data).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const f of profile.fields) {
    const value = clean[f.name];
    if (value === undefined) continue;
    (f.secret ? secrets : config)[f.name] = value;
  }
  if (mode === 'edit') {
    const missing = profile.fields.filter((f) => f.secret && f.required && !secrets[f.name] && !options.setSecretFields?.has(f.name));
    if (missing.length) return { ok: false, fieldErrors: Object.fromEntries(missing.map((f) => [f.name, [`Enter the ${f.label.toLowerCase()}`]])) };
  }
  if (profile.endsAt && now().getTime() >= Date.parse(profile.endsAt)) {
    const field = profile.fields.find((f) => f.secret)?.name ?? '_form';
    return { ok: false, fieldErrors: { [field]: [`The regime stopped accepting this kind of credential on ${profile.endsAt.slice(0, 10)}. ${profile.notice ?? ''}`.trim()] } };
  }
  const tokenNip = options.profileId === 'ksef-token' ? /\|nip-(\d{10})\|/.exec(secrets.ksefToken ?? '')?.[1] : undefined;
  if (tokenNip && tokenNip !== config.nip) {
    return { ok: false, fieldErrors: { ksefToken: [`This KSeF token was issued for NIP ${tokenNip}, not for the context NIP ${config.nip ?? ''}`] } };
  }
  try {
    const checked = await checkCertificateValues(options.profileId, { stored: options.storedSecrets ?? {}, config, secrets });
    if (options.profileId === 'zatca-csid' && checked && !secrets.csidSecret && !options.setSecretFields?.has('csidSecret')) {
      return { ok: false, fieldErrors: { csidSecret: ['Enter the CSID secret that came with the certificate'] } };
    }
    // A certificate read from a PKCS#12 file is kept beside it in clear (it is public), so its facts show without opening secrets.
    if (checked?.certificatePem) config.certificate = checked.certificatePem;
    const endDate = profile.fields.some((f) => f.name === SECRET_EXPIRY_FIELD) ? (config[SECRET_EXPIRY_FIELD] ? new Date(`${config[SECRET_EXPIRY_FIELD]}T00:00:00Z`) : null) : undefined;
    return { ok: true, config, secrets, expiresAt: capAtRegimeEnd(checked?.expiresAt ?? endDate, profile.endsAt) };
  } catch (error) {
    if (error instanceof CertificateProblem) return { ok: false, fieldErrors: { [error.field]: [error.message] } };
    throw error;
  }
}

/** The earlier of the credential's own expiry and the regime's end date for this kind of credential. */
function capAtRegimeEnd(expiresAt: Date | null | undefined, endsAt: string | undefined): Date | null | undefined {
  if (!endsAt) return expiresAt;
  const end = new Date(endsAt);
  return expiresAt && expiresAt.getTime() < end.getTime() ? expiresAt : end;
}
