import { ZCredentialStatusBody } from '@/lib/schemas/service-api';
import { apiError, apiJson, serviceApi } from '@/lib/server/api/service-api';
import { getCredentialStatus } from '@/lib/server/credentials/get-credential-status';

export const dynamic = 'force-dynamic';

/** GET /api/v1/credentials/{id}: one credential's status (never a secret). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return serviceApi(request, { scope: 'credentials:read', action: 'api.credentials.get', credentialId: id }, async ({ services, account }) => {
    const status = await getCredentialStatus(services, { organizationId: account.organizationId, credentialId: id });
    return status ? apiJson(ZCredentialStatusBody, { credential: status }) : apiError(404, 'NOT_FOUND', 'No such credential.');
  });
}
