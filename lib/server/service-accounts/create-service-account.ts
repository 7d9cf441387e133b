import 'server-only';
import { randomBytes } from 'node:crypto';
import { ZServiceAccountCreate, type TServiceAccountCreate } from '@/lib/schemas/service-account';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import { hashApiKey } from '@/lib/server/service-accounts/api-key-hash';
import type { Services } from '@/lib/server/services';

/**
 * Creates a service account and its API key: 256 random bits, returned once, stored only as its
 * SHA-256 (the key is random, so a slow hash adds nothing), scoped to operations and legal entities.
 */
export async function createServiceAccount(
  { prisma }: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TServiceAccountCreate },
): Promise<Result<{ id: string; key: string }>> {
  const parsed = ZServiceAccountCreate.safeParse(input);
  if (!parsed.success) return fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error));
  const entities = await prisma.legalEntity.count({ where: { organizationId, id: { in: parsed.data.legalEntityIds } } });
  if (entities !== new Set(parsed.data.legalEntityIds).size) return fail('VALIDATION', 'Choose legal entities of your organization.', { legalEntityIds: ['Unknown legal entity'] });
  const key = `sr_${randomBytes(32).toString('base64url')}`;
  const account = await prisma.$transaction(async (tx) => {
    const created = await tx.serviceAccount.create({
      data: {
        organizationId,
        name: parsed.data.name,
        keyHash: hashApiKey(key),
        keyPrefix: key.slice(0, 10),
        scopes: parsed.data.scopes,
        legalEntityIds: [...new Set(parsed.data.legalEntityIds)],
        createdById: actor.type === 'USER' ? (actor.id ?? null) : null,
      },
    });
    await appendAuditEvent(tx, {
      actor,
      action: 'service_account.create',
      target: { type: 'ServiceAccount', id: created.id },
      organizationId,
      outcome: 'SUCCESS',
      details: { name: parsed.data.name, scopes: parsed.data.scopes, legalEntities: parsed.data.legalEntityIds.length },
    });
    return created;
  });
  return ok({ id: account.id, key });
}
