export { getCredential as GET } from '@/lib/server/api/v1-routes';

export const dynamic = 'force-dynamic';
