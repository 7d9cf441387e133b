import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import NextAuth, { type AuthOptions } from 'next-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverProvider } from '@/lib/server/sso/sso-connection';
import { ssoProvider, type SsoClient } from '@/lib/server/sso/sso-provider';
import { listen, json, type TestServer } from '@/lib/server/test-support/test-servers';

process.env.OUTBOUND_ALLOW_LOOPBACK = 'true';
const nextAuthUrl = process.env.NEXTAUTH_URL;

const CLIENT_ID = 'strongroom';
const CLIENT_SECRET = 'provider-test-client-secret';
const ORIGIN = 'http://localhost:3000';

/**
 * One request to next-auth's handler (its Node API form: no Next.js runtime needed), as the browser
 * would send it with `cookies`; returns where it sends the browser, the body, and the cookies it sets.
 */
async function nextAuth(options: AuthOptions, { segments, method = 'GET', query = {}, body, cookies }: { segments: string[]; method?: string; query?: Record<string, string>; body?: Record<string, string>; cookies: Record<string, string> }) {
  const headers = new Map<string, string[] | string>();
  const res = {
    statusCode: 200,
    body: undefined as unknown,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    setHeader(name: string, value: string | string[]) {
      headers.set(name.toLowerCase(), value);
      return this;
    },
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    end() {},
    json(value: unknown) {
      this.body = value;
    },
    send(value: unknown) {
      this.body = value;
    },
  };
  const req = { method, query: { nextauth: segments, ...query }, body, cookies, headers: { host: 'localhost:3000' } };
  await (NextAuth as unknown as (req: unknown, res: unknown, options: AuthOptions) => Promise<void>)(req, res, options);
  const set = [headers.get('set-cookie') ?? []].flat();
  for (const line of set) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    cookies[pair!.slice(0, at)] = decodeURIComponent(pair!.slice(at + 1));
  }
  return { redirect: headers.get('location') as string | undefined, body: res.body };
}

type Forge = { key?: 'other'; aud?: string; iss?: string; nonce?: string; expired?: boolean };

/**
 * A provider that issues whatever ID token the test asks for (a fault-injecting server on loopback):
 * its token endpoint answers the code with a token signed by its key, or by another, for another
 * audience, issuer or nonce, or expired. next-auth (openid-client) must refuse every forgery.
 */
async function startForgingProvider() {
  const good = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const state = { nonce: '', forge: {} as Forge, tokenRequests: 0 };
  let url = '';
  const sign = (key: CryptoKey) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ email: 'ada@acme.example', email_verified: true, name: 'Ada', nonce: state.forge.nonce ?? state.nonce })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(state.forge.iss ?? url)
      .setAudience(state.forge.aud ?? CLIENT_ID)
      .setSubject('sub-ada')
      .setIssuedAt(state.forge.expired ? now - 7200 : now)
      .setExpirationTime(state.forge.expired ? now - 3600 : now + 300)
      .sign(key);
  };
  const server: TestServer = await listen((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      return json(res, 200, { issuer: url, authorization_endpoint: `${url}/auth`, token_endpoint: `${url}/token`, jwks_uri: `${url}/jwks` });
    }
    if (req.url === '/jwks') return json(res, 200, { keys: [jwk] });
    if (req.url === '/token' && req.method === 'POST') {
      state.tokenRequests++;
      const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      if (basic !== `${CLIENT_ID}:${CLIENT_SECRET}`) return json(res, 401, { error: 'invalid_client' });
      void sign(state.forge.key === 'other' ? other.privateKey : good.privateKey).then((idToken) => json(res, 200, { access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken }));
      return;
    }
    json(res, 404, {});
  });
  url = server.url;
  return { ...server, state };
}

describe('single sign-on through next-auth against a provider that forges ID tokens', () => {
  let provider: Awaited<ReturnType<typeof startForgingProvider>>;
  let options: AuthOptions;
  const admitted: unknown[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    process.env.NEXTAUTH_URL = ORIGIN;
    provider = await startForgingProvider();
    const client = { slug: 'acme', organizationName: 'Acme', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, policy: { issuer: provider.url } } as SsoClient;
    options = {
      providers: [ssoProvider(client, await discoverProvider(provider.url))],
      secret: 'a-test-secret-that-is-long-enough-0123456789',
      session: { strategy: 'jwt' },
      callbacks: {
        signIn: ({ profile }) => {
          admitted.push(profile);
          return true;
        },
      },
      logger: { error: (code) => void errors.push(code), warn: () => undefined, debug: () => undefined },
    };
  });
  afterAll(async () => {
    process.env.NEXTAUTH_URL = nextAuthUrl;
    await provider.close();
  });

  /** Starts a sign-in as the browser would, then comes back from the provider with a code; returns where next-auth sends the browser. */
  async function signInWith(forge: Forge): Promise<string> {
    const cookies: Record<string, string> = {};
    const csrf = await nextAuth(options, { segments: ['csrf'], cookies });
    const start = await nextAuth(options, { segments: ['signin', 'sso-acme'], method: 'POST', body: { csrfToken: (csrf.body as { csrfToken: string }).csrfToken }, cookies });
    const authorize = new URL(start.redirect!);
    expect(authorize.origin + authorize.pathname).toBe(`${provider.url}/auth`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    provider.state.nonce = authorize.searchParams.get('nonce')!;
    provider.state.forge = forge;
    const back = await nextAuth(options, { segments: ['callback', 'sso-acme'], query: { code: 'the-code', state: authorize.searchParams.get('state')! }, cookies });
    return back.redirect!;
  }

  it('lets a token signed by the provider’s key, for this client, with the nonce, through to the admission check', async () => {
    expect(await signInWith({})).toBe(ORIGIN);
    expect(admitted).toEqual([expect.objectContaining({ sub: 'sub-ada', email: 'ada@acme.example', iss: provider.url })]);
  });

  it.each<[string, Forge]>([
    ['signed by another key', { key: 'other' }],
    ['for another audience', { aud: 'someone-else' }],
    ['from another issuer', { iss: 'https://login.evil.example' }],
    ['with another nonce', { nonce: 'replayed-nonce' }],
    ['expired', { expired: true }],
  ])('refuses an ID token %s: nobody gets to the admission check', async (_, forge) => {
    admitted.length = 0;
    errors.length = 0;
    const before = provider.state.tokenRequests;
    expect(await signInWith(forge)).toBe(`${ORIGIN}/api/auth/error?error=OAuthCallback`);
    expect(provider.state.tokenRequests).toBe(before + 1);
    expect(admitted).toEqual([]);
    expect(errors).toContain('OAUTH_CALLBACK_ERROR');
  });

  it('refuses a callback whose state was never issued', async () => {
    admitted.length = 0;
    const before = provider.state.tokenRequests;
    const back = await nextAuth(options, { segments: ['callback', 'sso-acme'], query: { code: 'x', state: 'forged' }, cookies: {} });
    expect(back.redirect).toMatch(/error=/);
    expect(provider.state.tokenRequests).toBe(before);
    expect(admitted).toEqual([]);
  });
});
