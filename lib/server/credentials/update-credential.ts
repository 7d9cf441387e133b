import 'server-only';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { profileDefinition, ZCredentialUpdate, type TCredentialCreate, type TCredentialUpdate } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { pairedSecrets, validateCredentialValues } from '@/lib/server/credentials/validate-credential-values';
import { type Services } from '@/lib/server/services';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { describeSecrets, readSecrets } from '@/lib/server/crypto/sealed-secrets';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { installSecrets } from '@/lib/server/credentials/secret-versions';
import { now } from '@/lib/server/clock';
import { fail, fieldErrorsOf, ok, valueFieldErrors, type Result } from '@/lib/server/result';
import { resetTokenGrant } from '@/lib/server/tokens/token-grant';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';
import type { Environment, Prisma } from '@/prisma/generated/client';

/** Thrown inside a transaction when the credential's version is not the one the change was made against. */
export class VersionConflict extends Error {}

/** A validated change, ready to apply: nothing in it was written yet. */
export interface PreparedUpdate {
  credential: { id: string; organizationId: string; environment: Environment };
  version: number;
  label: string;
  config: Record<string, string>;
  /** Secret values given (to seal); fields left out keep theirs. */
  secrets: Record<string, string>;
  expiresAt: Date | null | undefined;
}

/** Who asked for a change that a second administrator applies (four-eyes). */
export interface Approval {
  requestId: string;
  requestedBy: string;
}

/**
 * Changes a credential's label, settings and any secrets given; a secret left out keeps its value.
 * Check-and-set on `version`: if someone changed it since the form was loaded, nothing is written
 * and the caller is told to reload. Every refusal is audited; a refused change stores nothing.
 */
export async function updateCredential(
  services: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialUpdate },
): Promise<Result<{ id: string; version: number }>> {
  const prepared = await prepareCredentialUpdate(services, { actor, organizationId, input });
  if (!prepared.ok) return prepared;
  try {
    await services.prisma.$transaction((tx: Prisma.TransactionClient) => applyCredentialUpdate(tx, services.keyring, { actor, prepared: prepared.data }));
  } catch (error) {
    if (error instanceof VersionConflict) return refuseChange(services.prisma, { actor, organizationId, action: 'credential.update', credentialId: prepared.data.credential.id, failure: conflict().error });
    throw error;
  }
  forgetAccessToken(prepared.data.credential.id);
  return ok({ id: prepared.data.credential.id, version: prepared.data.version + 1 });
}

/** Validates an edit against the stored credential (refusals audited as `action`); writes nothing. */
export async function prepareCredentialUpdate(
  { prisma, keyring }: Services,
  { actor, organizationId, input, action = 'credential.update' }: { actor: Actor; organizationId: string; input: TCredentialUpdate; action?: string },
): Promise<Result<PreparedUpdate>> {
  const refuse = (failure: ReturnType<typeof fail>, credentialId?: string) =>
    refuseChange(prisma, { actor, organizationId, action, credentialId, failure: failure.error });
  const parsed = ZCredentialUpdate.safeParse(input);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const { credentialId, version, label, values } = parsed.data;

  const credential = await prisma.credential.findFirst({
    where: { id: credentialId, organizationId, deletedAt: null },
    select: { id: true, organizationId: true, environment: true, profile: true, status: true, version: true, config: true },
  });
  if (!credential) return refuse(fail('NOT_FOUND', 'This credential does not exist or was deleted.'), credentialId);
  if (credential.status === 'REVOKED') return refuse(fail('INVALID_STATE', 'A revoked credential cannot be changed; create a new one.'), credentialId);
  if (credential.version !== version) return refuse(conflict(), credentialId);
  const profile = profileDefinition(credential.profile);
  if (!profile) return refuse(fail('INVALID_STATE', `This version of Strongroom does not know the profile "${credential.profile}".`), credentialId);

  const owner = credentialOwner(credential);
  const setSecretFields = new Set((await describeSecrets(prisma, owner)).keys());
  const paired = pairedSecrets(profile);
  const needsStored = paired.length > 0 && profile.fields.some((f) => ['certificate', 'caCertificates', ...paired].includes(f.name) && values[f.name]);
  // Opened only to check a certificate against its key; never leaves this function.
  const storedSecrets = needsStored ? await readSecrets(prisma, keyring, owner, paired) : {};
  const validated = await validateCredentialValues({
    profileId: credential.profile as TCredentialCreate['profile'],
    profile,
    mode: 'edit',
    values,
    storedSecrets,
    setSecretFields,
  });
  if (!validated.ok) return refuse(fail('VALIDATION', 'Check the highlighted fields.', valueFieldErrors(validated.fieldErrors)), credentialId);
  return ok({
    credential: { id: credential.id, organizationId: credential.organizationId, environment: credential.environment },
    version,
    label,
    config: validated.config,
    secrets: validated.secrets,
    expiresAt: validated.expiresAt,
  });
}

/**
 * Writes a prepared change in the caller's transaction: check-and-set on the version (else throws
 * VersionConflict), the new secrets as the current version (the replaced values kept for a
 * rollback), the tokens reset when secrets or settings changed, ACTIVE with its audit event. With
 * `approval`, the requester is recorded beside the administrator who approved it.
 */
export async function applyCredentialUpdate(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { actor, prepared, approval }: { actor: Actor; prepared: PreparedUpdate; approval?: Approval },
): Promise<void> {
  const { credential, version, label, config, secrets, expiresAt } = prepared;
  const at = now();
  const before = await tx.credential.findUnique({ where: { id: credential.id }, select: { config: true } });
  const { count } = await tx.credential.updateMany({
    where: { id: credential.id, version, status: { not: 'REVOKED' }, deletedAt: null },
    data: {
      label,
      config,
      version: { increment: 1 },
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      configuredAt: at,
      configuredById: actor.type === 'USER' ? (actor.id ?? null) : null,
    },
  });
  if (count === 0 || !before) throw new VersionConflict();
  const installed = await installSecrets(tx, keyring, {
    credential,
    secrets,
    expiresAt,
    attribution: { at, setBy: approval?.requestedBy ?? actor.label ?? null, approvedBy: approval ? (actor.label ?? null) : null },
  });
  // Tokens belong to the secret, client, scope and endpoint they were issued for: never serve them after a change.
  if (installed || !sameConfig(before.config, config)) await resetTokenGrant(tx, credential);
  // New values are a fresh start: the credential is configured and its old error is moot. A draft
  // edited without any secret (a ZATCA unit waiting to be onboarded) stays a draft.
  const holdsSecrets = installed !== null || (await tx.sealedSecret.count({ where: { ownerTable: 'Credential', ownerId: credential.id } })) > 0;
  await changeCredentialStatus(tx, {
    credential,
    to: holdsSecrets ? 'ACTIVE' : 'DRAFT',
    event: {
      actor,
      action: 'credential.update',
      outcome: 'SUCCESS',
      details: {
        replacedSecrets: Object.keys(secrets),
        configFields: Object.keys(config),
        fromVersion: version,
        ...(installed ? { secretVersion: installed.number } : {}),
        ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}),
      },
    },
  });
}

function sameConfig(stored: Prisma.JsonValue, next: Record<string, string>): boolean {
  const before = (stored ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(next)]);
  return [...keys].every((key) => before[key] === next[key]);
}

export const conflict = () =>
  fail('CONFLICT', 'Someone changed this credential after you opened it. Reload to see their change; nothing was saved.');
