import 'server-only';
import { randomUUID } from 'node:crypto';
import { CREDENTIAL_PROFILES, type TCredentialCreate, ZCredentialCreate } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { validateCredentialValues } from '@/lib/server/credentials/validate-credential-values';
import { type Services } from '@/lib/server/services';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { fail, fieldErrorsOf, ok, valueFieldErrors, type Result } from '@/lib/server/result';
import { Prisma } from '@/prisma/generated/client';

/**
 * Creates a credential with its secrets sealed, in one transaction with its audit event. Refusals
 * (bad values, unknown entity, duplicate label) store nothing and are audited too.
 */
export async function createCredential(
  { prisma, keyring }: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialCreate },
): Promise<Result<{ id: string; version: number }>> {
  const refuse = (failure: ReturnType<typeof fail>) =>
    refuseChange(prisma, { actor, organizationId, action: 'credential.create', failure: failure.error });
  const parsed = ZCredentialCreate.safeParse(input);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const { legalEntityId, profile: profileId, environment, label, values } = parsed.data;
  const validated = validateCredentialValues({ profileId, profile: CREDENTIAL_PROFILES[profileId], mode: 'create', values });
  if (!validated.ok) {
    return refuse(fail('VALIDATION', 'Check the highlighted fields.', valueFieldErrors(validated.fieldErrors)));
  }
  const entity = await prisma.legalEntity.findFirst({ where: { id: legalEntityId, organizationId }, select: { id: true } });
  if (!entity) return refuse(fail('NOT_FOUND', 'That legal entity does not exist in your organization.'));

  const id = randomUUID();
  const now = new Date();
  try {
    await prisma.$transaction(async (tx) => {
      await tx.credential.create({
        data: {
          id,
          organizationId,
          legalEntityId,
          profile: profileId,
          environment,
          label,
          config: validated.config,
          expiresAt: validated.expiresAt ?? null,
          configuredAt: now,
          configuredById: actor.type === 'USER' ? (actor.id ?? null) : null,
        },
      });
      for (const [field, value] of Object.entries(validated.secrets)) {
        await writeSecret(tx, keyring, credentialOwner({ id, organizationId }), field, value);
      }
      // Created as a draft (the column's default) and configured in the same transaction.
      await changeCredentialStatus(tx, {
        credential: { id, organizationId },
        to: 'ACTIVE',
        event: {
          actor,
          action: 'credential.create',
          outcome: 'SUCCESS',
          details: { profile: profileId, environment, label, secretFields: Object.keys(validated.secrets), configFields: Object.keys(validated.config) },
        },
      });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return refuse(fail('CONFLICT', 'This entity already has a credential of this type and environment with that label.', { label: ['Choose another label'] }));
    }
    throw error;
  }
  return ok({ id, version: 1 });
}
