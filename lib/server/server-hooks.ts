import 'server-only';
import { serviceRoute } from '@/lib/server/api/v1-routes';
import { logger } from '@/lib/server/logger';
import { requestIdFor } from '@/lib/server/request-context';

/** What scripts/serve.mjs (plain JavaScript, outside Next.js's bundles) calls of the app, once it has started. */
export const serverHooks = {
  serviceRoute,
  requestIdFor,
  /** One JSON line per answered request: its id, method, route group, status, time and who made it (never the path or query: links carry tokens). */
  logRequest(entry: { requestId: string; method: string; group: string; status: number; durationMs: number; actorType?: string }) {
    logger().info({ event: 'http.request', ...entry }, 'request');
  },
};
export type ServerHooks = typeof serverHooks;
