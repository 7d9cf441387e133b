import { AUDIT_READERS } from '@/lib/roles';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { allAuditEvents, type AuditEventDto } from '@/lib/server/audit/list-audit-events';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { prisma } from '@/lib/server/db/client';

export const dynamic = 'force-dynamic';

const COLUMNS = ['seq', 'at', 'actorType', 'actorLabel', 'action', 'targetType', 'targetId', 'outcome', 'ip', 'userAgent', 'details', 'hash'] as const;

// Quotes every cell, and defuses cells a spreadsheet would run as a formula.
const csvCell = (value: unknown) => {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '');
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
};

/** GET /audit/export?format=csv|json: the organization's whole audit log, in chain order. */
export async function GET(request: Request) {
  const user = await requireRole(AUDIT_READERS, 'route:/audit/export');
  const format = new URL(request.url).searchParams.get('format') === 'json' ? 'json' : 'csv';
  const db = await prisma();
  const actor = await requestActor(user);
  await db.$transaction((tx) => appendAuditEvent(tx, { actor, action: 'audit.export', organizationId: user.organizationId, outcome: 'SUCCESS', details: { format } }));

  const encoder = new TextEncoder();
  const events = allAuditEvents(db, user.organizationId);
  const line = (event: AuditEventDto, first: boolean) =>
    format === 'csv' ? `${COLUMNS.map((c) => csvCell(event[c])).join(',')}\n` : `${first ? '' : ',\n'}${JSON.stringify(event)}`;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(format === 'csv' ? `${COLUMNS.join(',')}\n` : '[\n'));
      let first = true;
      for await (const event of events) {
        controller.enqueue(encoder.encode(line(event, first)));
        first = false;
      }
      controller.enqueue(encoder.encode(format === 'csv' ? '' : '\n]\n'));
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
