import { NextResponse } from 'next/server';
import { keyring } from '@/lib/server/crypto/keyring';
import { probeReadiness, readiness } from '@/lib/server/health/readiness';
import { database } from '@/lib/server/services';

export const dynamic = 'force-dynamic';

/**
 * Readiness, for a load balancer: 200 when this instance can serve (database with every migration,
 * a usable key, its scheduler ticking), else 503 with what is not ready. Probed at most once a second.
 */
export async function GET() {
  const report = await readiness(() => probeReadiness({ db: database, keyring }));
  return NextResponse.json(report, { status: report.ready ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}
