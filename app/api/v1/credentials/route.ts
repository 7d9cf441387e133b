import { ZCredentialList } from '@/lib/schemas/service-api';
import { apiJson, serviceApi } from '@/lib/server/api/service-api';
import { getOrganizationOverview } from '@/lib/server/dashboard/get-organization-overview';

export const dynamic = 'force-dynamic';

/** GET /api/v1/credentials: status of the credentials of the service account's legal entities. */
export function GET(request: Request) {
  return serviceApi(request, { scope: 'credentials:read', action: 'api.credentials.list' }, async ({ services, account }) => {
    const { entities } = await getOrganizationOverview(services, { organizationId: account.organizationId, filters: {} });
    const credentials = entities
      .filter((entity) => account.legalEntityIds.includes(entity.id))
      .flatMap((entity) => entity.credentials.map((c) => ({ ...c, legalEntity: { id: entity.id, name: entity.name, taxId: entity.taxId } })));
    return apiJson(ZCredentialList, { credentials });
  });
}
