import { csvRecord } from '@/lib/csv';
import { auditFilterParams, describeAuditEvent, ZAuditFilters } from '@/lib/audit-actions';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { AUDIT_READERS } from '@/lib/roles';
import { exportAuditLog } from '@/lib/server/audit/export-audit-log';
import { allAuditEvents } from '@/lib/server/audit/list-audit-events';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { now } from '@/lib/server/clock';
import { services } from '@/lib/server/services';

export const dynamic = 'force-dynamic';

const COLUMNS = ['number', 'at', 'actorType', 'actorLabel', 'action', 'targetType', 'targetId', 'outcome', 'ip', 'userAgent', 'details', 'hash'] as const;

const cellText = (value: unknown) => (value instanceof Date ? value.toISOString() : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? ''));

/**
 * GET /audit/export?format=csv[&filters]: CSV of the filtered log with readable descriptions, to read.
 * The verifiable JSON export is a POST: it signs a checkpoint and writes an event, which a link, a
 * prefetch or another site's image tag must not do.
 */
export async function GET(request: Request) {
  const user = await requireRole(AUDIT_READERS, 'route:/audit/export');
  const url = new URL(request.url);
  if (url.searchParams.get('format') === 'json') {
    return Response.json({ error: 'The JSON export signs a checkpoint: ask for it with POST (the “Export the whole chain” button).' }, { status: 405, headers: { Allow: 'POST' } });
  }
  const parsed = ZAuditFilters.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) return Response.json({ error: 'Some filters were not understood (dates are written 2026-12-01).' }, { status: 400 });
  const { prisma: db } = await services();
  await recordAuditEvent(db, { actor: await requestActor(user), action: 'audit.export', organizationId: user.organizationId, outcome: 'SUCCESS', details: { format: 'csv', ...auditFilterParams(parsed.data) } });
  return download('csv', async function* () {
    yield csvRecord([...COLUMNS, 'description']);
    for await (const event of allAuditEvents(db, user.organizationId, parsed.data)) yield csvRecord([...COLUMNS.map((c) => cellText(event[c])), describeAuditEvent(event)]);
  });
}

/** POST /audit/export: the whole chain as JSON, ending at a checkpoint signed now, verifiable offline. Same-origin forms only. */
export async function POST(request: Request) {
  const user = await requireRole(AUDIT_READERS, 'route:/audit/export');
  // A form of this site only. Browsers say so in Sec-Fetch-Site (our pages' no-referrer policy makes a
  // form's Origin "null"); other clients must send an Origin naming the host they called.
  const site = request.headers.get('sec-fetch-site');
  const origin = URL.parse(request.headers.get('origin') ?? '');
  const sameOrigin = site ? site === 'same-origin' : origin?.host === request.headers.get('host');
  if (!sameOrigin) return Response.json({ error: 'Export from the Audit log page.' }, { status: 403 });
  const { prisma: db, keyring: keys } = await services();
  await recordAuditEvent(db, { actor: await requestActor(user), action: 'audit.export', organizationId: user.organizationId, outcome: 'SUCCESS', details: { format: 'json' } });
  return download('json', () => exportAuditLog(db, keys, { organizationId: user.organizationId }));
}

function download(format: 'csv' | 'json', chunks: () => AsyncGenerator<string>): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for await (const chunk of chunks()) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  const stamp = now().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
      'Content-Disposition': `attachment; filename="strongroom-audit-${stamp}.${format}"`,
      'Cache-Control': 'no-store',
    },
  });
}
