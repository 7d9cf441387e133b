import { countOf } from '@/lib/format';
import 'server-only';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { randomUUID } from 'node:crypto';
import type { AuthOptions, Session } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { SIGN_IN_LOCKED_PREFIX, ZSignIn } from '@/lib/schemas/sign-in';
import { authSecret } from '@/lib/server/auth/auth-secret';
import { now } from '@/lib/server/clock';
import { clientIp } from '@/lib/server/auth/client-ip';
import { endSession, startSession } from '@/lib/server/auth/sessions';
import { verifySignIn } from '@/lib/server/auth/verify-sign-in';
import { services } from '@/lib/server/services';
import { publicUrl } from '@/lib/server/env';
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
    pages: { signIn: '/sign-in' },
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
          await startSession((await services()).prisma, { id: token.sid, userId: user.id, maxAgeSeconds: SESSION_HOURS * 3600 });
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
