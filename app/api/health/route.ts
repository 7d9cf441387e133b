import { NextResponse } from 'next/server';
import { keysUsable } from '@/lib/server/crypto/key-health';
import { keyring } from '@/lib/server/crypto/keyring';
import { checkHealth, type HealthReport } from '@/lib/server/db/check-health';
import { database } from '@/lib/server/services';

export const dynamic = 'force-dynamic';

/**
 * Readiness: 200 when the database answers, migrations are current and the key-encryption key can be
 * used; 503 naming which is not otherwise. Which key provider, but not its address or key: this
 * answers anyone (the reason is in the log and under Admin → Keys).
 */
export async function GET() {
  const [db, keys] = await Promise.all([
    database()
      .then(checkHealth)
      .catch((): HealthReport => ({ status: 'unavailable', db: 'down', migrations: 'unknown' })),
    keysUsable(keyring()),
  ]);
  const report = { ...db, status: db.status === 'ok' && keys.usable ? 'ok' : 'unavailable', keys: keys.usable ? 'usable' : 'unavailable', keyProvider: keys.provider };
  return NextResponse.json(report, {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Cache-Control': 'no-store' },
  });
}
