import 'server-only';
import { profileValuesSchema, SECRET_EXPIRY_FIELD, type CredentialProfileDefinition, type TCredentialProfile } from '@/lib/schemas/credential-profiles';
import { CertificateProblem, inspectPemPair, inspectPkcs12, type CertificateFacts } from '@/lib/server/credentials/inspect-certificate';

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

/** Names of stored secrets `validateCredentialValues` may need on edit, to check a pair. */
export const PAIRED_SECRETS: Partial<Record<TCredentialProfile, string[]>> = {
  'zatca-csid': ['privateKey'],
  certificate: ['privateKey', 'pkcs12', 'pkcs12Password'],
};

/**
 * Checks values against the profile: field syntax (the shared zod schema), required secrets, and
 * for certificates that they parse, that the key belongs to the certificate, and their expiry.
 */
export function validateCredentialValues(options: ValidateOptions): ValidatedValues {
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
  try {
    const facts = inspectCertificates(options.profileId, { ...options.storedSecrets, ...config, ...secrets });
    const endDate = profile.fields.some((f) => f.name === SECRET_EXPIRY_FIELD) ? (config[SECRET_EXPIRY_FIELD] ? new Date(`${config[SECRET_EXPIRY_FIELD]}T00:00:00Z`) : null) : undefined;
    return { ok: true, config, secrets, expiresAt: facts?.notAfter ?? endDate };
  } catch (error) {
    if (error instanceof CertificateProblem) return { ok: false, fieldErrors: { [error.field]: [error.message] } };
    throw error;
  }
}

function inspectCertificates(profileId: TCredentialProfile, all: Record<string, string | undefined>): CertificateFacts | null {
  if (profileId === 'zatca-csid') {
    return inspectPemPair({ certificate: all.certificate ?? '', privateKey: all.privateKey ?? '' });
  }
  if (profileId === 'certificate') {
    if (all.pkcs12) return inspectPkcs12({ pkcs12: all.pkcs12, password: all.pkcs12Password ?? '' });
    if (!all.certificate) throw new CertificateProblem('certificate', 'Paste a certificate and its private key, or upload a PKCS#12 file');
    if (!all.privateKey) throw new CertificateProblem('privateKey', 'Paste the private key that belongs to the certificate');
    return inspectPemPair({ certificate: all.certificate, privateKey: all.privateKey });
  }
  return null;
}
