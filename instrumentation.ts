import type { Instrumentation } from 'next';

// Runs once when the server starts, before it takes requests: check the configuration and, in
// embedded mode, open the database, migrate and seed it. A bad start ends the process with one line.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('@/lib/server/start-server');
  await startServer();
  // For scripts/serve.mjs: the service API's handlers (answered without Next.js's router), request ids, the request log.
  const { serverHooks } = await import('@/lib/server/server-hooks');
  (globalThis as { strongroomHooks?: typeof serverHooks }).strongroomHooks = serverHooks;
}

/** A page, action or route that threw: logged with the digest Next.js shows on its error page, and the request's id. */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { logger } = await import('@/lib/server/logger');
  const digest = (error as { digest?: string }).digest;
  const requestId = typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : undefined;
  logger().error({ event: 'request.failed', requestId, digest, method: request.method, routeType: context.routeType, err: error instanceof Error ? error.message : String(error) }, 'request failed');
};
