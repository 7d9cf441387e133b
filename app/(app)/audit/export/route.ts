import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { AUDIT_READERS } from '@/lib/roles';
import { exportAuditLog } from '@/lib/server/audit/export-audit-log';
import { allAuditEvents } from '@/lib/server/audit/list-audit-events';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { services } from '@/lib/server/services';

export const dynamic = 'force-dynamic';

const COLUMNS = ['seq', 'at', 'actorType', 'actorLabel', 'action', 'targetType', 'targetId', 'outcome', 'ip', 'userAgent', 'details', 'hash'] as const;

// Quotes every cell, and defuses cells a spreadsheet would run as a formula.
const csvCell = (value: unknown) => {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '');
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
};

/** GET /audit/export?format=csv|json: the organization's whole audit log, in chain order (JSON: verifiable offline). */
export async function GET(request: Request) {
  const user = await requireRole(AUDIT_READERS, 'route:/audit/export');
  const format = new URL(request.url).searchParams.get('format') === 'json' ? 'json' : 'csv';
  const { prisma: db, keyring: keys } = await services();
  const actor = await requestActor(user);
  await recordAuditEvent(db, { actor, action: 'audit.export', organizationId: user.organizationId, outcome: 'SUCCESS', details: { format } });

  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      if (format === 'csv') {
        send(`${COLUMNS.join(',')}\n`);
        for await (const event of allAuditEvents(db, user.organizationId)) send(`${COLUMNS.map((c) => csvCell(event[c])).join(',')}\n`);
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
