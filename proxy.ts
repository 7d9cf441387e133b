import { NextResponse, type NextRequest } from 'next/server';

/**
 * Per-request security headers. Pages get a Content-Security-Policy with a fresh nonce, which Next.js
 * reads from the request header and puts on its own scripts ('strict-dynamic' lets those load the
 * rest): no inline script, no eval, no plugin, no framing, no <base>, forms only to us. Pages get
 * HSTS when the public URL is https. (The real checks of who may see what are in
 * lib/server/auth, in every page, action and route; nothing here grants or refuses access.)
 */
export function proxy(request: NextRequest) {
  const https = (process.env.NEXTAUTH_URL ?? '').startsWith('https://');
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const policy = [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  if (https) response.headers.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  return response;
}

export const config = {
  // Pages only, next-auth's own pages among them: the machine API answers JSON (no scripts to guard)
  // and is the hot path; browsers learn HSTS from any page of the host.
  matcher: [{ source: '/((?!api/|_next/static|_next/image|favicon.ico).*)' }, { source: '/api/auth/:page(signin|signout|error|verify-request)' }],
};
