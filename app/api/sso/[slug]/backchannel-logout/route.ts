import { NextResponse, type NextRequest } from 'next/server';
import { services } from '@/lib/server/services';
import { backchannelLogout } from '@/lib/server/sso/backchannel-logout';

export const dynamic = 'force-dynamic';

const headers = { 'Cache-Control': 'no-store' };

/** OpenID Connect Back-Channel Logout 1.0: the provider posts `logout_token` as a form. 200 when verified (even if no session was open), 400 otherwise. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const form = await request.formData().catch(() => null);
  const result = await backchannelLogout(await services(), { slug, logoutToken: form?.get('logout_token') });
  if (result.ok) return new NextResponse(null, { status: 200, headers });
  return NextResponse.json({ error: 'invalid_request', error_description: result.error.message }, { status: result.error.code === 'NOT_FOUND' ? 404 : 400, headers });
}
