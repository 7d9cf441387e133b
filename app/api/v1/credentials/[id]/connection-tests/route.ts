import { ZConnectionTestBody } from '@/lib/schemas/service-api';
import { apiFailure, apiJson, serviceApi } from '@/lib/server/api/service-api';
import { runConnectionTest } from '@/lib/server/connection-tests/run-connection-test';

export const dynamic = 'force-dynamic';

/** POST /api/v1/credentials/{id}/connection-tests: runs a connection test and returns its result. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return serviceApi(request, { scope: 'tests:run', action: 'api.connection_test', credentialId: id }, async ({ services, account, actor }) => {
    const result = await runConnectionTest(services, { organizationId: account.organizationId, credentialId: id, trigger: 'API', actor });
    return result.ok ? apiJson(ZConnectionTestBody, { test: result.data }, { status: 201 }) : apiFailure(result.error);
  });
}
