import 'server-only';
import { randomBytes, randomUUID } from 'node:crypto';
import { createCredential } from '@/lib/server/credentials/create-credential';
import type { Services } from '@/lib/server/services';

/**
 * An OAuth client-credentials credential of the first legal entity, whose token endpoint is
 * `tokenUrl` (a test server on loopback): through the same createCredential the app uses.
 */
export async function createOAuthCredential(services: Services, tokenUrl: string): Promise<{ id: string; organizationId: string; legalEntityId: string }> {
  const entity = await services.prisma.legalEntity.findFirstOrThrow();
  const created = await createCredential(services, {
    actor: { type: 'SYSTEM' },
    organizationId: entity.organizationId,
    input: {
      legalEntityId: entity.id,
      profile: 'oauth2-client-credentials',
      environment: 'SANDBOX',
      label: `oauth ${randomUUID()}`,
      values: { tokenUrl, clientId: 'erp', clientSecret: randomBytes(20).toString('hex'), clientAuth: 'client_secret_basic' },
    },
  });
  if (!created.ok) throw new Error(created.error.message);
  return { id: created.data.id, organizationId: entity.organizationId, legalEntityId: entity.id };
}
