import 'server-only';
import { ZStageSecrets, type TStageSecrets } from '@/lib/schemas/governance';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { stageSecrets } from '@/lib/server/credentials/secret-versions';
import { prepareCredentialUpdate, VersionConflict, type Approval, type PreparedUpdate } from '@/lib/server/credentials/update-credential';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { Prisma } from '@/prisma/generated/client';

/**
 * Validates new secrets for a pending version: checked as an edit would check them (with the
 * stored settings), at least one secret. Writes nothing; refusals are audited.
 */
export async function prepareStage(services: Services, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TStageSecrets }): Promise<Result<PreparedUpdate>> {
  const refuse = (failure: ReturnType<typeof fail>, credentialId?: string) =>
    refuseChange(services.prisma, { actor, organizationId, action: 'credential.stage', credentialId, failure: failure.error });
  const parsed = ZStageSecrets.safeParse(input);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error)));
  const { credentialId, version, values } = parsed.data;
  const stored = await services.prisma.credential.findFirst({ where: { id: credentialId, organizationId, deletedAt: null }, select: { label: true, config: true, status: true } });
  if (!stored) return refuse(fail('NOT_FOUND', 'This credential does not exist or was deleted.'), credentialId);
  if (stored.status === 'DRAFT') return refuse(fail('INVALID_STATE', 'Configure this credential first; a pending version replaces secrets it already holds.'), credentialId);
  const config = (stored.config ?? {}) as Record<string, string>;
  const prepared = await prepareCredentialUpdate(services, { actor, organizationId, action: 'credential.stage', input: { credentialId, version, label: stored.label, values: { ...config, ...values } } });
  if (!prepared.ok) return prepared;
  if (Object.keys(prepared.data.secrets).length === 0) return refuse(fail('VALIDATION', 'Enter at least one new secret for the pending version.'), credentialId);
  // A new PKCS#12 file brings its own certificate: it travels with the pending version and becomes the config's on promotion.
  const certificate = prepared.data.config.certificate;
  const secrets = certificate && certificate !== config.certificate ? { ...prepared.data.secrets, certificate } : prepared.data.secrets;
  return ok({ ...prepared.data, secrets, config });
}

/** Seals a prepared pending version in the caller's transaction (check-and-set on the version, else VersionConflict). */
export async function applyStage(tx: Prisma.TransactionClient, keyring: Keyring, { actor, prepared, approval }: { actor: Actor; prepared: PreparedUpdate; approval?: Approval }): Promise<number> {
  const at = now();
  const { credential, version, secrets, expiresAt } = prepared;
  const { count } = await tx.credential.updateMany({ where: { id: credential.id, version, status: { not: 'REVOKED' }, deletedAt: null }, data: { version: { increment: 1 } } });
  if (count === 0) throw new VersionConflict();
  const staged = await stageSecrets(tx, keyring, {
    credential,
    secrets,
    expiresAt,
    attribution: { at, setBy: approval?.requestedBy ?? actor.label ?? null, approvedBy: approval ? (actor.label ?? null) : null },
  });
  await appendAuditEvent(tx, {
    actor,
    action: 'credential.stage',
    target: { type: 'Credential', id: credential.id },
    organizationId: credential.organizationId,
    outcome: 'SUCCESS',
    details: { fields: Object.keys(secrets), secretVersion: staged.number, ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}) },
  });
  return staged.number;
}
