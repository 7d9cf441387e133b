// Runs once when the server starts, before it takes requests: check the configuration and, in
// embedded mode, open the database, migrate and seed it. A bad start ends the process with one line.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('@/lib/server/start-server');
  await startServer();
  // For scripts/serve.mjs, which answers the service API with these handlers, without Next.js's router.
  const { serviceRoute } = await import('@/lib/server/api/v1-routes');
  (globalThis as { strongroomServiceRoute?: typeof serviceRoute }).strongroomServiceRoute = serviceRoute;
}
