import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { authOptionsFor } from '@/lib/server/auth/auth-options';

type Context = { params: Promise<{ nextauth: string[] }> };

const handler = async (request: NextRequest, context: Context) => NextAuth(request, context, await authOptionsFor((await context.params).nextauth, request.headers));

export { handler as GET, handler as POST };
