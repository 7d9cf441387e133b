import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

/** Liveness: the process answers. Touches nothing, so a slow database never gets a live process restarted. */
export function GET() {
  return NextResponse.json({ status: 'alive' }, { headers: { 'Cache-Control': 'no-store' } });
}
