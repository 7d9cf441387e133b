import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { ZServiceAccountCreate, type TServiceAccountCreate } from '@/lib/schemas/service-account';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import type { Vault } from '@/lib/server/credentials/vault';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Creates a service account and its API key: 256 random bits, returned once, stored only as its
 * SHA-256 (the key is random, so a slow hash adds nothing), scoped to operations and legal entities.
 */
export async function createServiceAccount(
  { prisma }: Vault,
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

/** Revokes a service account's key for good. */
export async function revokeServiceAccount({ prisma }: Vault, { actor, organizationId, id }: { actor: Actor; organizationId: string; id: string }): Promise<Result<null>> {
  const done = await prisma.$transaction(async (tx) => {
    const { count } = await tx.serviceAccount.updateMany({ where: { id, organizationId, revokedAt: null }, data: { revokedAt: new Date() } });
    await appendAuditEvent(tx, { actor, action: 'service_account.revoke', target: { type: 'ServiceAccount', id }, organizationId, outcome: count ? 'SUCCESS' : 'DENIED' });
    return count === 1;
  });
  return done ? ok(null) : fail('NOT_FOUND', 'No such active service account.');
}

/** The organization's service accounts, for the admin page (never a key or its hash). */
export function listServiceAccounts({ prisma }: Vault, { organizationId }: { organizationId: string }) {
  return prisma.serviceAccount.findMany({
    where: { organizationId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, keyPrefix: true, scopes: true, legalEntityIds: true, createdAt: true, revokedAt: true },
  });
}
