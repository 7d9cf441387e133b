import { countOf } from '@/lib/format';
import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { randomUUID } from 'node:crypto';
import type { AuthOptions, Session } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { SIGN_IN_LOCKED_PREFIX, SIGN_IN_SSO_ONLY, ZSignIn } from '@/lib/schemas/sign-in';
import { authSecret } from '@/lib/server/auth/auth-secret';
import { now } from '@/lib/server/clock';
import { clientIp } from '@/lib/server/auth/client-ip';
import { endSession, startSession } from '@/lib/server/auth/sessions';
import { verifySignIn } from '@/lib/server/auth/verify-sign-in';
import { services } from '@/lib/server/services';
import { env, publicUrl } from '@/lib/server/env';
import { admitSsoUser } from '@/lib/server/sso/admit-sso-user';
import { discoverProvider, DiscoveryError, loadSsoClient } from '@/lib/server/sso/sso-connection';
import { SSO_PROVIDER_PREFIX, ssoProvider, type SsoClient } from '@/lib/server/sso/sso-provider';
import { scrubSecrets } from '@/lib/server/net/provider-text';
import type { Role } from '@/prisma/generated/client';

declare module 'next-auth' {
  interface User {
    role: Role;
    organizationId: string;
  }
}

declare module 'next-auth' {
  interface Session {
    userId: string;
    sessionId: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    /** Session id, to bind step-up grants to this sign-in. */
    sid?: string;
  }
}

const SESSION_HOURS = 8;

/** What a sign-in through single sign-on hands from the signIn callback to the jwt callback. */
type SsoSignedIn = { sso?: { subject: string; sid: string | null } };

let options: AuthOptions | undefined;

/** next-auth configuration: email + password, JWT sessions in httpOnly SameSite=Lax cookies. */
export function authOptions(): AuthOptions {
  if (options) return options;
  // next-auth reads NEXTAUTH_URL itself to build callback URLs: give it the checked value, or one
  // derived from PORT when unset.
  process.env.NEXTAUTH_URL = publicUrl();
  options = {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: SESSION_HOURS * 3600 },
    // next-auth's own errors (a provider's answer that does not verify) land on the sign-in page, which explains them.
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { type: 'email' }, password: { type: 'password' } },
        async authorize(credentials, request) {
          const parsed = ZSignIn.safeParse(credentials ?? {});
          if (!parsed.success) return null;
          const result = await verifySignIn((await services()).prisma, {
            ...parsed.data,
            ip: clientIp(request.headers),
            userAgent: (request.headers?.['user-agent'] as string | undefined) ?? null,
          });
          if (result.ok) return result.user;
          if (result.reason === 'sso_only') throw new Error(SIGN_IN_SSO_ONLY);
          if (result.reason === 'locked') {
            throw new Error(`${SIGN_IN_LOCKED_PREFIX}: try again in ${countOf(Math.ceil(result.retryAfterSeconds / 60), 'minute')}.`);
          }
          return null;
        },
      }),
    ],
    callbacks: {
      // A sign-in gets a session row; the JWT only carries its id, checked on every request.
      async jwt({ token, user }) {
        if (user) {
          token.sid = randomUUID();
          const { sso } = user as SsoSignedIn;
          const maxAgeSeconds = sso ? env().SSO_SESSION_MINUTES * 60 : SESSION_HOURS * 3600;
          await startSession((await services()).prisma, { id: token.sid, userId: user.id, maxAgeSeconds, ...(sso ? { sso } : {}) });
        }
        return token;
      },
      // Only ids reach the session; name, role and organization are read fresh per request. A session
      // ended on the server (signed out, deactivated, expired) answers nothing, whatever its cookie says.
      async session({ session, token }) {
        const row = token.sid ? await (await services()).prisma.session.findUnique({ where: { id: token.sid }, select: { userId: true, endedAt: true, expiresAt: true, user: { select: { disabledAt: true } } } }) : null;
        if (!row || row.endedAt || row.expiresAt <= now() || row.userId !== token.sub || row.user.disabledAt) return {} as Session;
        return { expires: session.expires, userId: token.sub ?? '', sessionId: token.sid ?? '' };
      },
    },
    events: {
      async signOut({ token }) {
        if (!token.sub) return;
        const db = (await services()).prisma;
        if (token.sid) await endSession(db, { id: token.sid });
        const user = await db.user.findUnique({ where: { id: token.sub }, select: { id: true, email: true, organizationId: true } });
        if (!user) return;
        await recordAuditEvent(db, {
          actor: { type: 'USER', id: user.id, label: user.email },
          action: 'auth.sign_out',
          organizationId: user.organizationId,
          outcome: 'SUCCESS',
        });
      },
    },
  };
  return options;
}

/**
 * The options for one request to next-auth's route: a sign-in or callback through an organization's
 * single sign-on gets that organization's provider (its client secret opened for this request only),
 * the callback that decides who it lets in, and an audit of what the provider's answer failed.
 */
export async function authOptionsFor(segments: readonly string[], headers: Headers): Promise<AuthOptions> {
  const base = authOptions();
  const [action, providerId] = segments;
  if ((action !== 'signin' && action !== 'callback') || !providerId?.startsWith(SSO_PROVIDER_PREFIX)) return base;
  const client = await loadSsoClient(await services(), { slug: providerId.slice(SSO_PROVIDER_PREFIX.length) });
  if (!client) return { ...base, pages: { ...base.pages, error: `/sign-in?error=sso&reason=not_configured` } };
  const request = { ip: clientIp(headers), userAgent: headers.get('user-agent') };
  const refusedUrl = (reason: string) => `/sign-in?error=sso&reason=${reason}&organization=${encodeURIComponent(client.slug)}`;
  const logger = ssoAuditLogger(client, request);
  let metadata;
  try {
    metadata = await discoverProvider(client.policy.issuer);
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    // Without the provider, next-auth finds no such provider and sends the person to the error page.
    await logger.error('DISCOVERY_FAILED', { message: error.message });
    return { ...base, pages: { ...base.pages, error: refusedUrl('provider_error') } };
  }
  return {
    ...base,
    providers: [...base.providers, ssoProvider(client, metadata)],
    pages: { ...base.pages, error: refusedUrl('provider_error') },
    callbacks: {
      ...base.callbacks,
      async signIn({ user, account, profile }) {
        if (account?.provider !== `${SSO_PROVIDER_PREFIX}${client.slug}`) return true;
        const admission = await admitSsoUser((await services()).prisma, { policy: client.policy, claims: (profile ?? {}) as Record<string, unknown>, request });
        if (!admission.ok) return refusedUrl(admission.reason);
        user.id = admission.user.id;
        (user as SsoSignedIn).sso = { subject: admission.subject, sid: admission.sid };
        return true;
      },
    },
    logger,
  };
}

/** next-auth's errors during a single sign-on (discovery, state, nonce, the ID token's checks) as refused sign-ins in the audit log. */
function ssoAuditLogger(client: SsoClient, request: { ip: string; userAgent: string | null }) {
  return {
    async error(code: string, metadata: unknown) {
      const error = (metadata as { error?: Error; message?: string } | undefined)?.error ?? (metadata instanceof Error ? metadata : null);
      const message = scrubSecrets(String(error?.message ?? (metadata as { message?: string } | undefined)?.message ?? code), [client.clientSecret]).slice(0, 500);
      await recordAuditEvent((await services()).prisma, {
        actor: { type: 'ANONYMOUS', ...request },
        action: 'auth.sign_in',
        organizationId: client.policy.organizationId,
        outcome: 'DENIED',
        details: { method: 'sso', reason: 'provider_error', code, message, issuer: client.policy.issuer },
      });
    },
    warn() {},
    debug() {},
  };
}

