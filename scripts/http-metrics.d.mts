/** Types of http-metrics.mjs (plain JavaScript, loaded by scripts/serve.mjs). */
export function routeGroup(method: string, path: string, serviceApi: boolean, headers: import('node:http').IncomingHttpHeaders): string;
export function httpMetrics(gate: { stats(): { running: number; queued: number; shed: number } }): (group: string, status: number, seconds: number) => void;
