import { env } from '@/lib/server/env';
import { collectMetrics } from '@/lib/server/metrics/collect-metrics';
import { metricsAccess } from '@/lib/server/metrics/metrics-access';
import { metricsContentType } from '@/lib/server/metrics/metrics';
import { services } from '@/lib/server/services';

export const dynamic = 'force-dynamic';

/** GET /api/metrics: Prometheus text, for the bearer of METRICS_TOKEN only (docs/operations.md). */
export async function GET(request: Request) {
  const access = metricsAccess(request.headers.get('authorization'), env().METRICS_TOKEN);
  if (access !== 'allowed') return new Response(null, { status: access === 'refused' ? 401 : 404, headers: { 'Cache-Control': 'no-store' } });
  return new Response(await collectMetrics(await services()), { headers: { 'Content-Type': metricsContentType, 'Cache-Control': 'no-store' } });
}
