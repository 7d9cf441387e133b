export { postSignature as POST } from '@/lib/server/api/v1-routes';

export const dynamic = 'force-dynamic';
