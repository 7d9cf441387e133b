import { SECURITY_HEADERS } from './lib/security-headers.mjs';

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Native, WASM and worker-thread packages stay as plain Node modules rather than bundled.
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter', 'pg', 'pino', 'rate-limiter-flexible', 'pkcs11js', 'prom-client'],
  // A server action's body: a CSV import of up to 1 MB travels base64-encoded (4/3 of it).
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: '2mb' } },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: SECURITY_HEADERS,
      },
    ];
  },
};

export default nextConfig;
