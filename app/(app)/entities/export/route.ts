import { STATUS_READERS } from '@/lib/roles';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { now } from '@/lib/server/clock';
import { exportLegalEntities } from '@/lib/server/entities/export-legal-entities';
import { services } from '@/lib/server/services';

/** GET /entities/export: the legal entities and their credentials' status as CSV (what the dashboard shows). */
export async function GET() {
  const user = await requireRole(STATUS_READERS, 'entity.export');
  const v = await services();
  const csv = await exportLegalEntities(v, { organizationId: user.organizationId });
  await recordAuditEvent(v.prisma, { actor: await requestActor(user), action: 'entity.export', organizationId: user.organizationId, outcome: 'SUCCESS' });
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="legal-entities-${now().toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
    },
  });
}
