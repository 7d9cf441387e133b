import 'server-only';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { profileDefinition, ZCredentialUpdate, type TCredentialCreate, type TCredentialUpdate } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { PAIRED_SECRETS, validateCredentialValues } from '@/lib/server/credentials/validate-credential-values';
import { type Services } from '@/lib/server/services';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { describeSecrets, readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { fail, fieldErrorsOf, ok, valueFieldErrors, type Result } from '@/lib/server/result';
import { resetTokenGrant } from '@/lib/server/tokens/token-grant';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';
import type { Prisma } from '@/prisma/generated/client';

class VersionConflict extends Error {}

/**
 * Changes a credential's label, settings and any secrets given; a secret left out keeps its value.
 * Check-and-set on `version`: if someone changed it since the form was loaded, nothing is written
 * and the caller is told to reload. Every refusal is audited; a refused change stores nothing.
 */
export async function updateCredential(
  { prisma, keyring }: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialUpdate },
): Promise<Result<{ id: string; version: number }>> {
  const refuse = (failure: ReturnType<typeof fail>, credentialId?: string) =>
    refuseChange(prisma, { actor, organizationId, action: 'credential.update', credentialId, failure: failure.error });
  const parsed = ZCredentialUpdate.safeParse(input);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const { credentialId, version, label, values } = parsed.data;

  const credential = await prisma.credential.findFirst({
    where: { id: credentialId, organizationId, deletedAt: null },
    select: { id: true, organizationId: true, profile: true, status: true, version: true, config: true },
  });
  if (!credential) return refuse(fail('NOT_FOUND', 'This credential does not exist or was deleted.'), credentialId);
  if (credential.status === 'REVOKED') return refuse(fail('INVALID_STATE', 'A revoked credential cannot be changed; create a new one.'), credentialId);
  if (credential.version !== version) return refuse(conflict(), credentialId);
  const profile = profileDefinition(credential.profile);
  if (!profile) return refuse(fail('INVALID_STATE', `This version of Strongroom does not know the profile "${credential.profile}".`), credentialId);

  const owner = credentialOwner(credential);
  const setSecretFields = new Set((await describeSecrets(prisma, owner)).keys());
  const paired = PAIRED_SECRETS[credential.profile as keyof typeof PAIRED_SECRETS] ?? [];
  const needsStored = paired.length > 0 && profile.fields.some((f) => ['certificate', ...paired].includes(f.name) && values[f.name]);
  // Opened only to check a certificate against its key; never leaves this function.
  const storedSecrets = needsStored ? await readSecrets(prisma, keyring, owner, paired) : {};
  const validated = validateCredentialValues({
    profileId: credential.profile as TCredentialCreate['profile'],
    profile,
    mode: 'edit',
    values,
    storedSecrets,
    setSecretFields,
  });
  if (!validated.ok) return refuse(fail('VALIDATION', 'Check the highlighted fields.', valueFieldErrors(validated.fieldErrors)), credentialId);

  const now = new Date();
  const resetsTokens = Object.keys(validated.secrets).length > 0 || !sameConfig(credential.config, validated.config);
  try {
    await prisma.$transaction(async (tx: Prisma.TransactionClient) => {
      const { count } = await tx.credential.updateMany({
        where: { id: credentialId, version, status: { not: 'REVOKED' }, deletedAt: null },
        data: {
          label,
          config: validated.config,
          version: { increment: 1 },
          ...(validated.expiresAt !== undefined ? { expiresAt: validated.expiresAt } : {}),
          configuredAt: now,
          configuredById: actor.type === 'USER' ? (actor.id ?? null) : null,
        },
      });
      if (count === 0) throw new VersionConflict();
      for (const [field, value] of Object.entries(validated.secrets)) await writeSecret(tx, keyring, owner, field, value);
      // Tokens belong to the secret, client, scope and endpoint they were issued for: never serve them after a change.
      if (resetsTokens) await resetTokenGrant(tx, credential);
      // New values are a fresh start: the credential is configured and its old error is moot.
      await changeCredentialStatus(tx, {
        credential,
        to: 'ACTIVE',
        event: { actor, action: 'credential.update', outcome: 'SUCCESS', details: { replacedSecrets: Object.keys(validated.secrets), configFields: Object.keys(validated.config), fromVersion: version } },
      });
    });
  } catch (error) {
    if (error instanceof VersionConflict) return refuse(conflict(), credentialId);
    throw error;
  }
  if (resetsTokens) forgetAccessToken(credentialId);
  return ok({ id: credentialId, version: version + 1 });
}

function sameConfig(stored: Prisma.JsonValue, next: Record<string, string>): boolean {
  const before = (stored ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(next)]);
  return [...keys].every((key) => before[key] === next[key]);
}

const conflict = () =>
  fail('CONFLICT', 'Someone changed this credential after you opened it. Reload to see their change; nothing was saved.');
