import 'server-only';
import { randomUUID } from 'node:crypto';
import { CREDENTIAL_PROFILES, type TCredentialCreate, ZCredentialCreate } from '@/lib/schemas/credential-profiles';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { statusAtCreation } from '@/lib/server/credentials/change-credential-status';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { installSecrets } from '@/lib/server/credentials/secret-versions';
import type { Approval } from '@/lib/server/credentials/update-credential';
import { validateCredentialValues } from '@/lib/server/credentials/validate-credential-values';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { type Services } from '@/lib/server/services';
import { fail, fieldErrorsOf, ok, valueFieldErrors, type Result } from '@/lib/server/result';
import { Prisma, type Environment } from '@/prisma/generated/client';

/** A validated new credential, ready to create: nothing in it was written yet. */
export interface PreparedCreate {
  organizationId: string;
  legalEntityId: string;
  profile: string;
  environment: Environment;
  label: string;
  config: Record<string, string>;
  secrets: Record<string, string>;
  expiresAt: Date | null;
}

/** Thrown inside a transaction when the entity already has a credential with this label, type and environment. */
export class DuplicateLabel extends Error {}
/** Thrown inside a transaction when the legal entity is not one of the organization's. */
export class UnknownEntity extends Error {}

export const duplicateLabel = () =>
  fail('CONFLICT', 'This entity already has a credential of this type and environment with that label.', { label: ['Choose another label'] });
export const unknownEntity = () => fail('NOT_FOUND', 'That legal entity does not exist in your organization.');

/**
 * Creates a credential with its secrets sealed, in one transaction with its audit event. Refusals
 * (bad values, unknown entity, duplicate label) store nothing and are audited too.
 */
export async function createCredential(
  services: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialCreate },
): Promise<Result<{ id: string; version: number }>> {
  const refuse = (failure: ReturnType<typeof fail>) =>
    refuseChange(services.prisma, { actor, organizationId, action: 'credential.create', failure: failure.error });
  // No read first: the insert's constraints say whether the entity is the organization's and the
  // label free (one statement fewer on the path of every new credential).
  const prepared = await validateCredentialCreate({ organizationId, input });
  if (!prepared.ok) return refuse(prepared);
  try {
    const id = await services.prisma.$transaction((tx) => applyCredentialCreate(tx, services.keyring, { actor, prepared: prepared.data }));
    return ok({ id, version: 1 });
  } catch (error) {
    if (error instanceof DuplicateLabel) return refuse(duplicateLabel());
    if (error instanceof UnknownEntity) return refuse(unknownEntity());
    throw error;
  }
}

/** A new credential's input, validated; reads and writes nothing. */
async function validateCredentialCreate({ organizationId, input }: { organizationId: string; input: TCredentialCreate }): Promise<Result<PreparedCreate>> {
  const parsed = ZCredentialCreate.safeParse(input);
  if (!parsed.success) return fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error));
  const { legalEntityId, profile: profileId, environment, label, values } = parsed.data;
  const validated = await validateCredentialValues({ profileId, profile: CREDENTIAL_PROFILES[profileId], mode: 'create', values });
  if (!validated.ok) return fail('VALIDATION', 'Check the highlighted fields.', valueFieldErrors(validated.fieldErrors));
  return ok({ organizationId, legalEntityId, profile: profileId, environment, label, config: validated.config, secrets: validated.secrets, expiresAt: validated.expiresAt ?? null });
}

/**
 * Validates a new credential and checks its entity and label now (refusals audited); writes
 * nothing. For a creation that waits for approval, so its requester hears of a wrong entity or a
 * taken label at once rather than at approval.
 */
export async function prepareCredentialCreate(
  { prisma }: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialCreate },
): Promise<Result<PreparedCreate>> {
  const refuse = (failure: ReturnType<typeof fail>) =>
    refuseChange(prisma, { actor, organizationId, action: 'credential.create', failure: failure.error });
  const prepared = await validateCredentialCreate({ organizationId, input });
  if (!prepared.ok) return refuse(prepared);
  const { legalEntityId, profile, environment, label } = prepared.data;
  // The entity, and whether the label is taken, in one read (the insert's constraints have the last word).
  const [entity] = await prisma.$queryRaw<{ taken: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM "Credential" c WHERE c."legalEntityId" = le.id AND c.profile = ${profile} AND c.environment = ${environment}::"Environment" AND c.label = ${label}) AS taken
      FROM "LegalEntity" le WHERE le.id = ${legalEntityId}::uuid AND le."organizationId" = ${organizationId}::uuid`;
  if (!entity) return refuse(unknownEntity());
  if (entity.taken) return refuse(duplicateLabel());
  return prepared;
}

/** Creates a prepared credential in the caller's transaction (throws DuplicateLabel); returns its id. */
export async function applyCredentialCreate(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { actor, prepared, approval, id = randomUUID() }: { actor: Actor; prepared: PreparedCreate; approval?: Approval; id?: string },
): Promise<string> {
  const { organizationId, legalEntityId, profile, environment, label, config, secrets, expiresAt } = prepared;
  const at = now();
  // Without any secret (a ZATCA EGS unit Strongroom will onboard) it is created as a draft.
  const initial = statusAtCreation(Object.keys(secrets).length > 0);
  try {
    await tx.credential.create({
      data: { id, organizationId, legalEntityId, profile, environment, label, config, expiresAt, status: initial.status, configuredAt: at, configuredById: actor.type === 'USER' ? (actor.id ?? null) : null },
      select: { id: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new DuplicateLabel();
    // The entity with this organization (a composite foreign key): missing, or another organization's.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') throw new UnknownEntity();
    throw error;
  }
  const credential = { id, organizationId };
  const installed = await installSecrets(tx, keyring, {
    credential,
    secrets,
    expiresAt,
    fresh: true,
    attribution: { at, setBy: approval?.requestedBy ?? actor.label ?? null, approvedBy: approval ? (actor.label ?? null) : null },
  });
  await appendAuditEvent(tx, {
    actor,
    action: 'credential.create',
    target: { type: 'Credential', id },
    organizationId,
    outcome: 'SUCCESS',
    details: {
      profile,
      environment,
      label,
      secretFields: Object.keys(secrets),
      configFields: Object.keys(config),
      ...(installed ? { secretVersion: installed.number } : {}),
      ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}),
      ...initial.details,
    },
  });
  return id;
}
