export { proxyRequest as GET } from '@/lib/server/api/v1-routes';
export { proxyRequest as POST } from '@/lib/server/api/v1-routes';
export { proxyRequest as PUT } from '@/lib/server/api/v1-routes';
export { proxyRequest as PATCH } from '@/lib/server/api/v1-routes';
export { proxyRequest as DELETE } from '@/lib/server/api/v1-routes';

export const dynamic = 'force-dynamic';
