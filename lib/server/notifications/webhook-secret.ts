import 'server-only';
import type { SecretOwner } from '@/lib/server/crypto/sealed-secrets';

/** Where an endpoint's signing secret is sealed. */
export const webhookSecretOwner = (endpoint: { id: string; organizationId: string }): SecretOwner => ({
  organizationId: endpoint.organizationId,
  ownerTable: 'WebhookEndpoint',
  ownerId: endpoint.id,
});
