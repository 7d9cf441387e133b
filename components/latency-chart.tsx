import { countOf } from '@/lib/format';
/** Latency and outcome of the last 30 days' connection tests: one bar per test, red when it failed. */
export function LatencyChart({ points }: { points: { startedAt: Date; durationMs: number; outcome: 'SUCCESS' | 'FAILURE' }[] }) {
  if (points.length === 0) return null;
  const width = 640;
  const height = 120;
  const max = Math.max(...points.map((p) => p.durationMs), 1);
  const bar = width / points.length;
  const ok = points.filter((p) => p.outcome === 'SUCCESS').length;
  return (
    <figure>
      <svg viewBox={`0 0 ${width} ${height + 20}`} width="100%" role="img" aria-label={`Last 30 days: ${countOf(points.length, 'test')}, ${ok} succeeded; slowest ${max} ms`}>
        {points.map((p, i) => {
          const h = Math.max(2, (p.durationMs / max) * height);
          return (
            <rect key={i} x={i * bar + 1} y={height - h} width={Math.max(1, bar - 2)} height={h} fill={p.outcome === 'SUCCESS' ? '#16a34a' : '#dc2626'}>
              <title>{`${p.startedAt.toISOString()} · ${p.durationMs} ms · ${p.outcome.toLowerCase()}`}</title>
            </rect>
          );
        })}
        <text x="0" y={height + 15} fontSize="11" fill="#5b6270">{`0–${max} ms, oldest left`}</text>
      </svg>
      <figcaption className="muted">
        Last 30 days: {countOf(points.length, 'test')}, {ok} succeeded (bar height: latency; green: succeeded, red: failed).
      </figcaption>
    </figure>
  );
}
