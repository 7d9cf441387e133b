import 'server-only';
import { profileDefinition } from '@/lib/schemas/credential-profiles';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { ksefRefresh, ksefSignIn, type KsefSignIn } from '@/lib/server/ksef/sign-in';
import { requestFreshToken, withRetries } from '@/lib/server/tokens/request-fresh-token';
import type { TokenOutcome } from '@/lib/server/tokens/request-token';

/** Where a credential's access tokens come from: the secret fields it needs, and one fetch (refresh first, else sign in). */
export interface TokenSource {
  secretFields: readonly string[];
  fetch(config: Record<string, string>, secrets: Partial<Record<string, string>>, refreshToken: string | undefined, policy: OutboundPolicy): Promise<{ outcome: TokenOutcome; grantType: string } | null>;
}

const oauth: TokenSource = {
  secretFields: ['clientSecret'],
  async fetch(config, secrets, refreshToken, policy) {
    if (!config.tokenUrl || !config.clientId || !secrets.clientSecret) return null;
    return requestFreshToken(
      {
        tokenUrl: config.tokenUrl,
        clientId: config.clientId,
        clientSecret: secrets.clientSecret,
        clientAuth: config.clientAuth === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
        ...(config.scope ? { scope: config.scope } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      },
      refreshToken,
      policy,
    );
  },
};

/** KSeF sign-in values from a stored KSeF credential (token or certificate), or null when incomplete. */
export function ksefSignInOf(config: Record<string, string>, secrets: Partial<Record<string, string>>): KsefSignIn | null {
  const { apiBaseUrl, nip } = config;
  // A pending version under test brings its own certificate.
  const certificate = secrets.certificate ?? config.certificate;
  if (!apiBaseUrl || !nip) return null;
  if (secrets.ksefToken) return { apiBaseUrl, nip, ksefToken: secrets.ksefToken };
  if (certificate && secrets.privateKey) return { apiBaseUrl, nip, certificate, privateKey: secrets.privateKey };
  return null;
}

const ksef: TokenSource = {
  secretFields: ['ksefToken', 'privateKey'],
  async fetch(config, secrets, refreshToken, policy) {
    const signIn = ksefSignInOf(config, secrets);
    if (!signIn) return null;
    if (refreshToken) {
      const outcome = await withRetries(() => ksefRefresh(signIn.apiBaseUrl, refreshToken, policy));
      if (outcome.ok || outcome.kind !== 'permanent') return { outcome, grantType: 'ksef_refresh' };
    }
    return { outcome: await withRetries(() => ksefSignIn(signIn, policy)), grantType: 'ksefToken' in signIn ? 'ksef_token' : 'ksef_xades' };
  },
};

/** The token source of a profile, or null for credentials that do not issue access tokens. */
export function tokenSourceFor(profile: string): TokenSource | null {
  const tokens = profileDefinition(profile)?.tokens;
  return tokens === 'oauth' ? oauth : tokens === 'ksef' ? ksef : null;
}
