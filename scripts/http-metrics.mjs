// The HTTP side of /api/metrics, counted where every request passes (scripts/serve.mjs): requests by
// route group and status, their durations, and the admission gate. prom-client's default registry is
// the one the app's own metrics use (lib/server/metrics/metrics.ts; the package is not bundled).
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * A request's route group, the only label taken from a request: a fixed set, never the path itself.
 *
 * @param {string} method
 * @param {string} path the path as the gate read it (no query)
 * @param {boolean} serviceApi whether the gate took it for the service API (any spelling)
 * @param {import('node:http').IncomingHttpHeaders} headers
 */
export function routeGroup(method, path, serviceApi, headers) {
  if (serviceApi) return 'service_api';
  if (path.startsWith('/_next/')) return 'static';
  if (path.startsWith('/api/auth/')) return 'auth';
  if (path.startsWith('/api/health')) return 'health';
  if (path === '/api/metrics') return 'metrics';
  if (path.startsWith('/api/')) return 'api_other';
  if (method === 'POST' && headers['next-action']) return 'action';
  return 'page';
}

/**
 * Registers the HTTP and gate metrics; returns the function that counts one finished request.
 *
 * @param {{ stats(): { running: number, queued: number, shed: number } }} gate
 * @returns {(group: string, status: number, seconds: number) => void}
 */
export function httpMetrics(gate) {
  const requests = new Counter({ name: 'strongroom_http_requests_total', help: 'HTTP requests answered, by route group and status', labelNames: ['group', 'status'] });
  const duration = new Histogram({
    name: 'strongroom_http_request_duration_seconds',
    help: 'Time to answer, by route group',
    labelNames: ['group'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  new Gauge({ name: 'strongroom_admission_in_flight', help: 'Service API requests running now', collect() { this.set(gate.stats().running); } });
  new Gauge({ name: 'strongroom_admission_queued', help: 'Service API requests waiting for a slot now', collect() { this.set(gate.stats().queued); } });
  new Counter({
    name: 'strongroom_admission_shed_total',
    help: 'Service API requests refused with 503 (queue full, or waited too long)',
    collect() {
      this.reset();
      this.inc(gate.stats().shed);
    },
  });
  return (group, status, seconds) => {
    requests.inc({ group, status: String(status) });
    duration.observe({ group }, seconds);
  };
}
