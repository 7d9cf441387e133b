import { ZAccessTokenBody } from '@/lib/schemas/service-api';
import { apiFailure, apiJson, serviceApi } from '@/lib/server/api/service-api';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';

export const dynamic = 'force-dynamic';

/** GET /api/v1/credentials/{id}/access-token: a valid access token, for a service account allowed to use it. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return serviceApi(request, { scope: 'token:read', action: 'api.access_token', credentialId: id }, async ({ services, actor, credential }) => {
    const token = await getAccessToken(services, { credentialId: id, credentialVersion: credential?.version, actor });
    if (!token.ok) return apiFailure(token.error);
    return apiJson(ZAccessTokenBody, { access_token: token.data.accessToken, token_type: token.data.tokenType, expires_at: token.data.expiresAt });
  });
}
