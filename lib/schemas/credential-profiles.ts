import { z } from 'zod';
import type { TSignAlgorithm } from '@/lib/schemas/signing';
import { oneLineText } from '@/lib/schemas/text';
import { validNip } from '@/lib/tax-ids';

/**
 * The kinds of credential Strongroom keeps: for each, its regime and typed fields, each marked
 * secret or not. Shared by the forms (zodResolver) and the server (safeParse); the server adds the
 * checks that need node:crypto (certificate parsing, key ↔ certificate) in lib/server/credentials.
 */
export const REGIMES = {
  AE: 'UAE e-invoicing',
  MY: 'Malaysia MyInvois',
  SA: 'Saudi Arabia ZATCA',
  PL: 'Poland KSeF',
  IT: 'Italy SDI',
  PEPPOL: 'Peppol',
  GENERIC: 'Generic',
} as const;

export type TRegime = keyof typeof REGIMES;

/** How the form renders a field; secret fields are always write-only inputs. */
export type TFieldKind = 'text' | 'url' | 'secret' | 'pem' | 'file' | 'select' | 'date';

export interface ProfileField {
  name: string;
  label: string;
  kind: TFieldKind;
  secret: boolean;
  required: boolean;
  help?: string;
  defaultValue?: string;
  options?: readonly string[];
  schema: z.ZodType<string>;
}

export interface CredentialProfileDefinition {
  regime: TRegime;
  title: string;
  /** What a connection test does: a token request, a health endpoint, local certificate checks, a KSeF authentication. */
  test: 'oauth-token' | 'api-health' | 'certificate' | 'ksef' | 'none';
  /** How it gets access tokens for the service API, if it does: OAuth client credentials, or KSeF's own authentication. */
  tokens?: 'oauth' | 'ksef';
  fields: readonly ProfileField[];
  /** Days before expiry it counts as expiring, unless the organization chose otherwise: how long renewal takes in this regime. */
  leadDays?: number;
  /** A date after which the regime stops accepting this kind of credential, whatever else it says (ISO instant). */
  endsAt?: string;
  /** Shown on its page and in the expiring view: what to do about this kind of credential. */
  notice?: string;
  /**
   * What the signing API may sign with its private key (lib/schemas/signing.ts), if anything. A KSeF
   * authentication certificate has none: Strongroom signs in with it; services get the token.
   */
  signing?: readonly TSignAlgorithm[];
  /** How the proxy calls the provider with this credential, if it does (lib/server/proxy). */
  proxy?: ProxyDefinition;
}

/**
 * The proxy (/api/v1/credentials/{id}/proxy/{path}) forwards a service's call to `baseUrlField`'s URL
 * plus the path, with the credential applied: an access token (`bearer`), the API key in its header
 * (`header`), HTTP basic (`basic`), ZATCA's basic of certificate and CSID secret (`zatca-basic`), or
 * the certificate and key in the TLS handshake (`mtls`). `paths` narrows it to path prefixes under the
 * base URL (what the provider's API is for, not what Strongroom does with the credential itself:
 * signing in, onboarding, minting new credentials); `methods` to those methods.
 */
export interface ProxyDefinition {
  baseUrlField: string;
  auth: 'bearer' | 'header' | 'basic' | 'zatca-basic' | 'mtls';
  paths?: readonly string[];
  methods?: readonly string[];
}

const MAX_URL = 2048;
const MAX_SECRET = 4096;
const MAX_PEM = 64 * 1024;
/** The largest PKCS#12 file taken (checked in the browser before sending, and again on the server). */
export const MAX_PKCS12_FILE_BYTES = 64 * 1024;

/** A path on the base URL's host: `//host/…` or `/\host/…` would send the key to another host. */
const healthPath = z
  .string()
  .trim()
  .refine(
    (path) => /^\/(?![/\\])[\x21-\x7e]{0,254}$/.test(path) && new URL(path, 'https://base.invalid').origin === 'https://base.invalid',
    'A path on the base URL, starting with a single /',
  );
const url = z
  .url({ protocol: /^https?$/, error: 'Enter a full URL such as https://api.example.com' })
  .max(MAX_URL, `At most ${MAX_URL} characters`)
  .refine((value) => {
    // Runs even when z.url() already refused the value (its message is shown then): never throws.
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return true;
    }
    return parsed.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  }, 'Must be https (plain http only to this machine, for development)');

const identifier = (label: string) =>
  z.string().trim().min(1, `Enter the ${label}`).max(256, 'At most 256 characters').regex(/^[\x21-\x7e]+$/, 'Letters, digits and symbols only; no spaces');

const secretLine = (label: string) =>
  z.string().trim().min(1, `Enter the ${label}`).max(MAX_SECRET, `At most ${MAX_SECRET} characters`).regex(/^[^\r\n]+$/, 'One line only');

const pem = (label: string, block: RegExp) =>
  z
    .string()
    .trim()
    .min(1, `Paste the ${label}`)
    .max(MAX_PEM, `At most ${MAX_PEM / 1024} KiB`)
    .refine((value) => block.test(value), `Paste the ${label} in PEM form (-----BEGIN …)`);

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PRIVATE_KEY_PEM = /-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+-----END (EC |RSA |ENCRYPTED )?PRIVATE KEY-----/;

const base64File = z.string().max(MAX_PEM * 2, 'At most 64 KiB').regex(/^[A-Za-z0-9+/]+={0,2}$/, 'Not a file we can read');

const scope = z.string().trim().max(1024, 'At most 1024 characters').regex(/^[\x21-\x7e ]*$/, 'Scopes are separated by spaces');

function field(name: string, label: string, kind: TFieldKind, schema: z.ZodType<string>, extra: Partial<ProfileField> = {}): ProfileField {
  return { name, label, kind, schema, secret: kind === 'secret' || extra.secret === true, required: true, ...extra };
}

/** The end date a provider gave a secret (client secrets, API keys often have one): what the expiry watch reads. */
export const SECRET_EXPIRY_FIELD = 'secretExpiresOn';
const secretExpiresOn = field(
  SECRET_EXPIRY_FIELD,
  'Secret expires on',
  'date',
  z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date such as 2027-03-31').refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'Not a real date'),
  { required: false, help: 'When the provider says this secret stops working; leave empty if it does not expire' },
);

const oauthClient = (defaults: { tokenUrl?: string; scope?: string }) => [
  field('tokenUrl', 'Token endpoint', 'url', url, { defaultValue: defaults.tokenUrl }),
  field('clientId', 'Client ID', 'text', identifier('client ID')),
  field('clientSecret', 'Client secret', 'secret', secretLine('client secret')),
  secretExpiresOn,
  field('scope', 'Scope', 'text', scope, { required: false, defaultValue: defaults.scope }),
];

/** A certificate and its key, pasted or uploaded (PEM, DER, CRT), or a PKCS#12 file with its password instead. */
const certificateAndKey = ({ pkcs12 }: { pkcs12: boolean }) => [
  field('certificate', 'Certificate', 'pem', pem('certificate', CERTIFICATE_PEM), { required: !pkcs12, help: pkcs12 ? 'PEM, DER or CRT file, or paste; or upload a PKCS#12 file below instead' : 'PEM, DER or CRT file, or paste' }),
  field('privateKey', 'Private key', 'pem', pem('private key', PRIVATE_KEY_PEM), { secret: true, required: !pkcs12 }),
  ...(pkcs12
    ? [
        field('pkcs12', 'PKCS#12 file (.p12 / .pfx)', 'file', base64File, { secret: true, required: false }),
        field('pkcs12Password', 'PKCS#12 password', 'secret', z.string().max(1024, 'At most 1024 characters'), { required: false }),
      ]
    : []),
];

/** Where the proxy sends calls, for profiles whose API is not otherwise named. */
const proxyBaseUrl = (label: string) =>
  field('apiBaseUrl', label, 'url', url, { required: false, help: 'Services call it through Strongroom’s proxy; leave empty if none does' });

const caCertificates = (help: string) =>
  field('caCertificates', 'CA certificates', 'pem', pem('CA certificate', CERTIFICATE_PEM), { help: `${help} PEM, DER or CRT; a chain in PEM ends with the trust anchor.` });

/** Poland's 10-digit NIP with its checksum. */
const nip = z.string().trim().regex(/^\d{10}$/, 'A NIP is 10 digits').refine(validNip, 'This NIP’s check digit does not match');

/** KSeF API 2.0 environments (ksef-docs srodowiska.md, 15.12.2025). */
export const KSEF_API = { test: 'https://api-test.ksef.mf.gov.pl/v2', demo: 'https://api-demo.ksef.mf.gov.pl/v2', production: 'https://api.ksef.mf.gov.pl/v2' } as const;
const ksefApi = field('apiBaseUrl', 'KSeF API', 'url', url, {
  defaultValue: KSEF_API.test,
  help: `Test ${KSEF_API.test}, demo ${KSEF_API.demo}, production ${KSEF_API.production}`,
});

/** KSeF tokens are withdrawn from 1 January 2027 (00:00 in Warsaw). */
export const KSEF_TOKEN_END = '2026-12-31T23:00:00.000Z';

/** ZATCA's Fatoora API gateways (developer portal = sandbox, simulation, core = production). */
export const FATOORA_API = {
  'developer-portal': 'https://gw-fatoora.zatca.gov.sa/e-invoicing/developer-portal',
  simulation: 'https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation',
  core: 'https://gw-fatoora.zatca.gov.sa/e-invoicing/core',
} as const;
/** A Saudi VAT number: 15 digits, starting and ending with 3. */
const zatcaVat = z.string().trim().regex(/^3\d{13}3$/, 'A Saudi VAT number is 15 digits, starting and ending with 3');
const csrText = (label: string) => z.string().trim().min(1, `Enter the ${label}`).max(200, 'At most 200 characters').regex(/^[^\x00-\x1f|]*$/, 'One line, without |');

export const CREDENTIAL_PROFILES = {
  'uae-asp-api-key': {
    regime: 'AE',
    title: 'UAE ASP API key',
    test: 'api-health',
    proxy: { baseUrlField: 'aspBaseUrl', auth: 'header' },
    fields: [
      field('aspBaseUrl', 'ASP API base URL', 'url', url),
      field('participantId', 'Peppol participant ID', 'text', z.string().trim().regex(/^0235:\d{10}$/, 'Use 0235: followed by the first 10 digits of the TRN'), {
        help: '0235:<first 10 digits of the TRN>',
      }),
      field('apiKey', 'API key', 'secret', secretLine('API key')),
      secretExpiresOn,
    ],
  },
  'uae-direct-oauth': {
    regime: 'AE',
    title: 'UAE direct OAuth client',
    test: 'oauth-token',
    tokens: 'oauth',
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'bearer' },
    fields: [...oauthClient({ scope: 'einvoice:transmit einvoice:status' }), field('apiBaseUrl', 'API base URL', 'url', url)],
  },
  'myinvois-oauth': {
    regime: 'MY',
    title: 'MyInvois OAuth client',
    test: 'oauth-token',
    tokens: 'oauth',
    fields: [
      ...oauthClient({ tokenUrl: 'https://preprod-api.myinvois.hasil.gov.my/connect/token', scope: 'InvoicingAPI' }),
      field('onBehalfOf', 'On behalf of (TIN)', 'text', identifier('TIN'), { required: false, help: 'Intermediaries only: the taxpayer’s TIN' }),
      field('apiBaseUrl', 'MyInvois API', 'url', url, {
        required: false,
        defaultValue: 'https://preprod-api.myinvois.hasil.gov.my',
        help: 'Sandbox https://preprod-api.myinvois.hasil.gov.my, production https://api.myinvois.hasil.gov.my; for calls through Strongroom’s proxy',
      }),
    ],
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'bearer', paths: ['/api/v1.0'] },
  },
  'zatca-csid': {
    regime: 'SA',
    title: 'ZATCA CSID',
    test: 'certificate',
    signing: ['ES256K'],
    // Reporting, clearance and compliance checks of invoices; not the CSID endpoints (Strongroom onboards and renews).
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'zatca-basic', paths: ['/compliance/invoices', '/invoices/reporting/single', '/invoices/clearance/single'], methods: ['POST'] },
    fields: [
      field('apiBaseUrl', 'Fatoora API', 'url', url, {
        defaultValue: FATOORA_API['developer-portal'],
        help: `Sandbox ${FATOORA_API['developer-portal']}, simulation ${FATOORA_API.simulation}, production ${FATOORA_API.core}`,
      }),
      field('vatNumber', 'VAT number', 'text', zatcaVat),
      field('egsSerial', 'EGS serial number', 'text', z.string().trim().regex(/^1-[^|]{1,100}\|2-[^|]{1,100}\|3-[^|]{1,100}$/, 'As ZATCA asks: 1-<solution>|2-<model or version>|3-<serial>'), {
        help: '1-<solution name>|2-<model or version>|3-<serial>, e.g. 1-ERP|2-4.2|3-0001',
      }),
      field('commonName', 'EGS unit name (CN)', 'text', csrText('EGS unit name'), { required: false, help: 'For the CSR when Strongroom onboards the unit' }),
      field('organizationUnit', 'Branch (OU)', 'text', csrText('branch'), { required: false, help: 'For a VAT group (11th digit 1): the member’s 10-digit TIN' }),
      field('organizationName', 'Taxpayer name (O)', 'text', csrText('taxpayer name'), { required: false }),
      field('invoiceTypes', 'Invoice types', 'text', z.string().trim().regex(/^[01]{4}$/, 'Four digits of 0 and 1: standard, simplified, then two reserved, e.g. 1100'), {
        required: false,
        defaultValue: '1100',
        help: '1100 = standard (B2B) and simplified (B2C) invoices',
      }),
      field('registeredAddress', 'Branch address', 'text', csrText('address'), { required: false }),
      field('businessCategory', 'Industry', 'text', csrText('industry'), { required: false }),
      field('certificate', 'CSID certificate', 'pem', pem('certificate', CERTIFICATE_PEM), { required: false, help: 'Empty when Strongroom onboards the unit itself' }),
      field('csidSecret', 'CSID secret', 'secret', secretLine('CSID secret'), { required: false }),
      field('privateKey', 'Private key', 'pem', pem('private key', PRIVATE_KEY_PEM), { secret: true, required: false }),
    ],
  },
  'ksef-token': {
    regime: 'PL',
    title: 'KSeF token',
    test: 'ksef',
    tokens: 'ksef',
    // Sessions, invoices and the encryption key's certificates; not /auth (Strongroom signs in), /tokens or
    // /certificates (a caller could mint a KSeF token or certificate, a credential outside the vault).
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'bearer', paths: ['/sessions', '/invoices', '/security/public-key-certificates'] },
    leadDays: 60,
    endsAt: KSEF_TOKEN_END,
    notice: 'The Ministry of Finance withdraws KSeF tokens from 1 January 2027: this token stops working at the end of 31 December 2026, whatever else it says. Replace it with a KSeF certificate (type 1, authentication) before then.',
    fields: [ksefApi, field('nip', 'Context NIP', 'text', nip, { help: 'The NIP the token acts for' }), field('ksefToken', 'KSeF token', 'secret', secretLine('KSeF token'))],
  },
  'ksef-certificate': {
    regime: 'PL',
    title: 'KSeF certificate (authentication)',
    test: 'ksef',
    tokens: 'ksef',
    // Sessions, invoices and the encryption key's certificates; not /auth (Strongroom signs in), /tokens or
    // /certificates (a caller could mint a KSeF token or certificate, a credential outside the vault).
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'bearer', paths: ['/sessions', '/invoices', '/security/public-key-certificates'] },
    leadDays: 30,
    fields: [
      ksefApi,
      field('nip', 'Context NIP', 'text', nip, { help: 'The NIP this certificate signs in for' }),
      ...certificateAndKey({ pkcs12: false }).map((f) =>
        f.name === 'certificate' ? { ...f, required: false, help: `${f.help}. Leave certificate and key empty to have Strongroom make the key and a CSR for KSeF’s application` } : { ...f, required: false },
      ),
    ],
  },
  'ksef-offline-certificate': {
    regime: 'PL',
    title: 'KSeF certificate (offline)',
    test: 'certificate',
    leadDays: 30,
    signing: ['PS256', 'ES256'],
    fields: [field('nip', 'NIP', 'text', nip), ...certificateAndKey({ pkcs12: false })],
  },
  'sdi-channel-certificate': {
    regime: 'IT',
    title: 'SDI channel certificate',
    test: 'certificate',
    leadDays: 45,
    signing: ['RS256', 'PS256', 'ES256'],
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'mtls' },
    fields: [
      field('channel', 'Channel', 'select', z.enum(['SDICoop Trasmissione', 'SDICoop Ricezione', 'SPCoop', 'SDIFTP']), {
        options: ['SDICoop Trasmissione', 'SDICoop Ricezione', 'SPCoop', 'SDIFTP'],
        defaultValue: 'SDICoop Trasmissione',
      }),
      ...certificateAndKey({ pkcs12: true }),
      caCertificates('The SdI CA that issued the channel certificate.'),
      proxyBaseUrl('SdI endpoint URL'),
    ],
  },
  'peppol-ap-certificate': {
    regime: 'PEPPOL',
    title: 'Peppol access point certificate',
    test: 'certificate',
    leadDays: 45,
    signing: ['RS256', 'PS256', 'ES256', 'ES384'],
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'mtls' },
    fields: [
      field('seatId', 'Peppol seat ID', 'text', z.string().trim().regex(/^P[A-Z]{2}\d{6}$/, 'A seat ID such as POP000123 (P, country, 6 digits)'), { help: 'As in the certificate’s common name, e.g. POP000123' }),
      ...certificateAndKey({ pkcs12: true }),
      caCertificates('The OpenPeppol access-point CA (G3) it must chain to.'),
      proxyBaseUrl('Endpoint URL (client certificate)'),
    ],
  },
  'oauth2-client-credentials': {
    regime: 'GENERIC',
    title: 'OAuth2 client credentials',
    test: 'oauth-token',
    tokens: 'oauth',
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'bearer' },
    fields: [
      ...oauthClient({}),
      field('audience', 'Audience / resource', 'text', z.string().trim().max(MAX_URL, 'Too long'), { required: false }),
      field('clientAuth', 'Client authentication', 'select', z.enum(['client_secret_basic', 'client_secret_post']), {
        options: ['client_secret_basic', 'client_secret_post'],
        defaultValue: 'client_secret_basic',
      }),
      proxyBaseUrl('API base URL'),
    ],
  },
  'api-key': {
    regime: 'GENERIC',
    title: 'API key',
    test: 'api-health',
    proxy: { baseUrlField: 'baseUrl', auth: 'header' },
    fields: [
      field('baseUrl', 'API base URL', 'url', url),
      field('headerName', 'Header name', 'text', z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'Letters, digits and dashes'), { defaultValue: 'X-API-Key' }),
      field('healthPath', 'Health check path', 'text', healthPath, { required: false }),
      field('apiKey', 'API key', 'secret', secretLine('API key')),
      secretExpiresOn,
    ],
  },
  'http-basic': {
    regime: 'GENERIC',
    title: 'HTTP basic',
    test: 'api-health',
    proxy: { baseUrlField: 'baseUrl', auth: 'basic' },
    fields: [
      field('baseUrl', 'Base URL', 'url', url),
      field('username', 'Username', 'text', identifier('username')),
      field('password', 'Password', 'secret', secretLine('password')),
      secretExpiresOn,
    ],
  },
  certificate: {
    regime: 'GENERIC',
    title: 'X.509 certificate',
    test: 'certificate',
    signing: ['ES256', 'ES256K', 'ES384', 'RS256', 'PS256'],
    proxy: { baseUrlField: 'apiBaseUrl', auth: 'mtls' },
    fields: [...certificateAndKey({ pkcs12: true }), proxyBaseUrl('Endpoint URL (client certificate)')],
  },
  'webhook-secret': {
    regime: 'GENERIC',
    title: 'Webhook secret',
    test: 'none',
    fields: [
      field('signingSecret', 'Signing secret', 'secret', secretLine('signing secret').pipe(z.string().min(16, 'At least 16 characters'))),
      field('headerName', 'Signature header', 'text', z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'Letters, digits and dashes'), {
        required: false,
        defaultValue: 'X-Signature',
      }),
    ],
  },
} as const satisfies Record<string, CredentialProfileDefinition>;

export type TCredentialProfile = keyof typeof CREDENTIAL_PROFILES;

export const PROFILE_IDS = Object.keys(CREDENTIAL_PROFILES) as [TCredentialProfile, ...TCredentialProfile[]];

export const ZCredentialProfile = z.enum(PROFILE_IDS, { error: 'Choose a credential type' });

export function isCredentialProfile(profile: string): profile is TCredentialProfile {
  return Object.hasOwn(CREDENTIAL_PROFILES, profile);
}

/** The definition of a stored profile id, or null for an id this version does not know. */
export function profileDefinition(profile: string): CredentialProfileDefinition | null {
  return isCredentialProfile(profile) ? CREDENTIAL_PROFILES[profile] : null;
}

/** Title and regime of a stored profile id; unknown ids (from a newer version) still render. */
export function describeProfile(profile: string): { regime: TRegime; title: string } {
  return profileDefinition(profile) ?? { regime: 'GENERIC', title: profile };
}

/** The profiles of a regime. */
export const profilesOfRegime = (regime: string) => PROFILE_IDS.filter((profile) => describeProfile(profile).regime === regime);

/**
 * The schema of a profile's values. On create every required field must be given; on edit a secret
 * left empty keeps its stored value, so secrets are optional there.
 */
export function profileValuesSchema(profile: CredentialProfileDefinition, mode: 'create' | 'edit') {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const f of profile.fields) {
    const optional = !f.required || (mode === 'edit' && f.secret);
    shape[f.name] = optional ? z.preprocess((v) => (v === '' || v === null ? undefined : v), f.schema.optional()) : f.schema;
  }
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? 'Unknown fields for this credential type' : undefined) });
}

const label = oneLineText({ min: 1, max: 120, empty: 'Give the credential a label' });
const environment = z.enum(['SANDBOX', 'PRODUCTION'], { error: 'Choose sandbox or production' });

/** Create form: which entity, which kind, where, and the values. */
export const ZCredentialCreate = z.object({
  legalEntityId: z.uuid('Unknown legal entity'),
  profile: ZCredentialProfile,
  environment,
  label,
  values: z.record(z.string(), z.string().max(MAX_PEM * 2, 'Too large')),
});
export type TCredentialCreate = z.input<typeof ZCredentialCreate>;

/** Edit form: check-and-set on `version`; an omitted secret keeps its value. */
export const ZCredentialUpdate = z.object({
  credentialId: z.uuid('Unknown credential'),
  version: z.number().int().positive(),
  label,
  values: z.record(z.string(), z.string().max(MAX_PEM * 2, 'Too large')),
});
export type TCredentialUpdate = z.input<typeof ZCredentialUpdate>;

/** Values a version may hold beside the profile's fields (onboarding in the vault). */
const VERSION_FIELD_LABELS: Record<string, string> = { complianceRequestId: 'ZATCA compliance request', csr: 'Certificate request (CSR)' };

/** A profile field's label ("Client secret"), or its name if the profile does not know it. */
export const fieldLabel = (profileId: string, name: string) => profileDefinition(profileId)?.fields.find((f) => f.name === name)?.label ?? VERSION_FIELD_LABELS[name] ?? name;

export const ZCredentialRef = z.object({ credentialId: z.uuid('Unknown credential'), version: z.number().int().positive() });
export type TCredentialRef = z.infer<typeof ZCredentialRef>;

/** The whole form (label, environment on create, the profile's values), for react-hook-form. */
export function credentialFormSchema(profile: CredentialProfileDefinition, mode: 'create' | 'edit') {
  return z.object({
    label,
    environment: mode === 'create' ? environment : z.string().optional(),
    values: profileValuesSchema(profile, mode),
  });
}
export type TCredentialForm = { label: string; environment?: string; values: Record<string, string | undefined> };
