import { NextResponse } from 'next/server';
import { checkHealth, type HealthReport } from '@/lib/server/db/check-health';
import { database } from '@/lib/server/services';

export const dynamic = 'force-dynamic';

/** 200 when the database answers and migrations are current; 503 with the reason otherwise. */
export async function GET() {
  const report: HealthReport = await database()
    .then(checkHealth)
    .catch(() => ({ status: 'unavailable', db: 'down', migrations: 'unknown' }));
  return NextResponse.json(report, {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Cache-Control': 'no-store' },
  });
}
