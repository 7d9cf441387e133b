import { ZAccessTokenBody } from '@/lib/schemas/service-api';
import { apiError, apiFailure, apiJson, serviceApi } from '@/lib/server/api/service-api';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';

export const dynamic = 'force-dynamic';

/** GET /api/v1/credentials/{id}/access-token: a valid access token, for a service account allowed to use it. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return serviceApi(request, { scope: 'token:read', action: 'api.access_token', credentialId: id }, async ({ services, actor, credential }) => {
    if (credential?.expiredAt) {
      const on = credential.expiredAt.getTime() > 0 ? ` on ${credential.expiredAt.toISOString().slice(0, 10)}` : '';
      return apiError(409, 'CREDENTIAL_EXPIRED', `This credential expired${on}, so no token is served; renew it with the provider and save the new values in Strongroom.`);
    }
    const token = await getAccessToken(services, { credentialId: id, credentialVersion: credential?.version, actor });
    if (!token.ok) return apiFailure(token.error);
    return apiJson(ZAccessTokenBody, { access_token: token.data.accessToken, token_type: token.data.tokenType, expires_at: token.data.expiresAt });
  });
}
