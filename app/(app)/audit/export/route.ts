import { csvRecord } from '@/lib/csv';
import { auditFilterParams, describeAuditEvent, ZAuditFilters } from '@/lib/audit-actions';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { AUDIT_READERS } from '@/lib/roles';
import { exportAuditLog } from '@/lib/server/audit/export-audit-log';
import { allAuditEvents } from '@/lib/server/audit/list-audit-events';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';

export const dynamic = 'force-dynamic';

const COLUMNS = ['seq', 'at', 'actorType', 'actorLabel', 'action', 'targetType', 'targetId', 'outcome', 'ip', 'userAgent', 'details', 'hash'] as const;

const cellText = (value: unknown) => (value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? ''));

/** GET /audit/export?format=csv|json[&filters]: CSV of the filtered log with readable descriptions; JSON: the whole chain, verifiable offline. */
export async function GET(request: Request) {
  const user = await requireRole(AUDIT_READERS, 'route:/audit/export');
  const url = new URL(request.url);
  const format = url.searchParams.get('format') === 'json' ? 'json' : 'csv';
  // CSV: the filtered view as the page shows it. JSON: always the whole chain, since only that verifies.
  const parsed = ZAuditFilters.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) return Response.json({ error: 'Some filters were not understood (dates are written 2026-12-01).' }, { status: 400 });
  const filters = format === 'csv' ? parsed.data : {};
  const { prisma: db, keyring: keys } = await services();
  const actor = await requestActor(user);
  await recordAuditEvent(db, { actor, action: 'audit.export', organizationId: user.organizationId, outcome: 'SUCCESS', details: { format, ...auditFilterParams(filters) } });

  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      if (format === 'csv') {
        send(csvRecord([...COLUMNS, 'description']));
        for await (const event of allAuditEvents(db, user.organizationId, filters)) send(csvRecord([...COLUMNS.map((c) => cellText(event[c])), describeAuditEvent(event)]));
      } else {
        // The verifiable form: a checkpoint signed now, the public keys, every hashed field.
        for await (const chunk of exportAuditLog(db, keys, { organizationId: user.organizationId })) send(chunk);
      }
      controller.close();
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
      'Content-Disposition': `attachment; filename="strongroom-audit-${stamp}.${format}"`,
      'Cache-Control': 'no-store',
    },
  });
}
