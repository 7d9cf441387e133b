import 'server-only';
import type { Services } from '@/lib/server/services';

/** How many of a credential's latest proxied calls and signatures its page shows. */
const SHOWN = 10;

/**
 * The latest calls services made with a credential without holding it (proxied calls and
 * signatures), from the audit log: who, when, what (method and path template, or algorithm), status,
 * size and duration. Status only: never a body, token or digest.
 */
export async function listServiceCalls({ prisma }: Pick<Services, 'prisma'>, { organizationId, credentialId }: { organizationId: string; credentialId: string }) {
  const rows = await prisma.auditEvent.findMany({
    where: { targetId: credentialId, organizationId, action: { in: ['api.proxy', 'api.sign'] } },
    orderBy: { seq: 'desc' },
    take: SHOWN,
    select: { seq: true, at: true, action: true, actorLabel: true, details: true },
  });
  return rows.map(({ seq, at, action, actorLabel, details }) => {
    const d = (details ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    const number = (value: unknown) => (typeof value === 'number' ? value : null);
    return {
      id: String(seq),
      at,
      kind: action === 'api.sign' ? ('signature' as const) : ('call' as const),
      serviceAccount: actorLabel,
      what: action === 'api.sign' ? (text(d.algorithm) ?? '—') : `${text(d.method) ?? ''} ${text(d.path) ?? ''}`.trim() || '—',
      status: number(d.status),
      bytes: number(d.responseBytes),
      complete: d.complete !== false,
      retried: d.retried === true,
      // A proxied call refused by Strongroom (400, 405, 409, 413, 429) is audited without a path: nothing went out.
      refused: action === 'api.proxy' && text(d.path) === null && (number(d.status) ?? 0) >= 400 && (number(d.status) ?? 0) < 500,
      durationMs: number(d.durationMs),
    };
  });
}
export type ServiceCallDto = Awaited<ReturnType<typeof listServiceCalls>>[number];
