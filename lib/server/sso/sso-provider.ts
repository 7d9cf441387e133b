import 'server-only';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { defaultPolicy, guardedLookup } from '@/lib/server/net/guarded-fetch';
import type { loadSsoClient, ProviderMetadata } from '@/lib/server/sso/sso-connection';

/** next-auth's provider ids for single sign-on: `sso-` and the organization's short name. */
export const SSO_PROVIDER_PREFIX = 'sso-';

export type SsoClient = NonNullable<Awaited<ReturnType<typeof loadSsoClient>>>;

/**
 * The organization's OpenID Connect provider for next-auth, which does the protocol: authorization
 * code with PKCE, state and nonce, the ID token's signature, issuer, audience and expiry. Discovery is
 * ours (`discoverProvider`, through the outbound guard, its endpoints checked), and next-auth's own
 * calls resolve names through the guard's lookup. Who gets in is decided afterwards from the ID
 * token's claims (`admitSsoUser`).
 */
export function ssoProvider(client: SsoClient, metadata: ProviderMetadata): OAuthConfig<Record<string, unknown>> {
  return {
    id: `${SSO_PROVIDER_PREFIX}${client.slug}`,
    name: `${client.organizationName} single sign-on`,
    type: 'oauth',
    issuer: metadata.issuer,
    authorization: { url: metadata.authorizationEndpoint, params: { scope: 'openid email profile' } },
    token: metadata.tokenEndpoint,
    ...(metadata.userinfoEndpoint ? { userinfo: metadata.userinfoEndpoint } : {}),
    jwks_endpoint: metadata.jwksUri,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    idToken: true,
    checks: ['pkce', 'state', 'nonce'],
    httpOptions: { timeout: 5000, lookup: guardedLookup(defaultPolicy()) as never },
    // The claims go to the signIn callback as they are; the account's id (the provider's subject until
    // then), role and organization are set there once it is admitted.
    profile: (claims) => ({ id: String(claims.sub ?? ''), role: 'VIEWER', organizationId: '', email: typeof claims.email === 'string' ? claims.email : null, name: typeof claims.name === 'string' ? claims.name : null }),
  };
}
