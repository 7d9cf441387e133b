import { z } from 'zod';

/**
 * The kinds of credential Strongroom keeps, and the regime each belongs to. Shared by forms and
 * server; the typed fields of each profile live with the credential store.
 */
export const REGIMES = {
  AE: 'UAE e-invoicing',
  MY: 'Malaysia MyInvois',
  SA: 'Saudi Arabia ZATCA',
  GENERIC: 'Generic',
} as const;

export type TRegime = keyof typeof REGIMES;

export const CREDENTIAL_PROFILES = {
  'uae-asp-api-key': { regime: 'AE', title: 'UAE ASP API key' },
  'uae-direct-oauth': { regime: 'AE', title: 'UAE direct OAuth client' },
  'myinvois-oauth': { regime: 'MY', title: 'MyInvois OAuth client' },
  'zatca-csid': { regime: 'SA', title: 'ZATCA CSID' },
  'oauth2-client-credentials': { regime: 'GENERIC', title: 'OAuth2 client credentials' },
  'api-key': { regime: 'GENERIC', title: 'API key' },
  'http-basic': { regime: 'GENERIC', title: 'HTTP basic' },
  certificate: { regime: 'GENERIC', title: 'X.509 certificate' },
  'webhook-secret': { regime: 'GENERIC', title: 'Webhook secret' },
} as const satisfies Record<string, { regime: TRegime; title: string }>;

export type TCredentialProfile = keyof typeof CREDENTIAL_PROFILES;

export const ZCredentialProfile = z.enum(Object.keys(CREDENTIAL_PROFILES) as [TCredentialProfile, ...TCredentialProfile[]]);

/** Title and regime of a stored profile id; unknown ids (from a newer version) still render. */
export function describeProfile(profile: string): { regime: TRegime; title: string } {
  return CREDENTIAL_PROFILES[profile as TCredentialProfile] ?? { regime: 'GENERIC', title: profile };
}
