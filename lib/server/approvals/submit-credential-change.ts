import 'server-only';
import { CREDENTIAL_PROFILES, isCredentialProfile, ZCredentialRef, type TCredentialCreate, type TCredentialRef, type TCredentialUpdate } from '@/lib/schemas/credential-profiles';
import type { TStageSecrets } from '@/lib/schemas/governance';
import { formatDateTime } from '@/lib/format';
import { needsApproval } from '@/lib/server/approvals/approval-policy';
import { requestChange } from '@/lib/server/approvals/request-change';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { canTransition } from '@/lib/server/credentials/change-credential-status';
import { applyCredentialCreate, DuplicateLabel, duplicateLabel, prepareCredentialCreate, UnknownEntity, unknownEntity } from '@/lib/server/credentials/create-credential';
import { deleteCredential, RECOVERY_DAYS } from '@/lib/server/credentials/delete-credential';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { revokeCredential } from '@/lib/server/credentials/revoke-credential';
import { prepareRollback, rollBackSecrets } from '@/lib/server/credentials/roll-back-secrets';
import { applyStage, prepareStage } from '@/lib/server/credentials/stage-secrets';
import { applyCredentialUpdate, conflict, prepareCredentialUpdate, VersionConflict, type PreparedUpdate } from '@/lib/server/credentials/update-credential';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';
import type { Prisma } from '@/prisma/generated/client';

/** A change an administrator submits from a form. */
export type CredentialChange =
  | { kind: 'CREATE'; input: TCredentialCreate }
  | { kind: 'UPDATE'; input: TCredentialUpdate }
  | { kind: 'STAGE'; input: TStageSecrets }
  | { kind: 'REVOKE' | 'DELETE' | 'RESTORE' | 'ROLLBACK'; input: TCredentialRef };

/** Applied at once, or waiting for a second administrator (with what to tell the requester). */
export type Submitted = { applied: true; credentialId: string } | { applied: false; requestId: string; credentialId: string | null; message: string };

const ACTIONS = { CREATE: 'credential.create', UPDATE: 'credential.update', STAGE: 'credential.stage', REVOKE: 'credential.revoke', DELETE: 'credential.delete', RESTORE: 'credential.restore', ROLLBACK: 'credential.rollback' } as const;

const expiryOf = (date: Date | null | undefined) => (date === undefined ? {} : { expiresAt: date ? date.toISOString() : null });

/**
 * The way every form's change to a credential goes (server actions call this, never the apply
 * functions): validated first (a refusal stores nothing and is audited), then, for a PRODUCTION
 * credential in an organization whose policy asks for four eyes, recorded as a change request with
 * its new secrets sealed to it; otherwise applied at once.
 */
export async function submitCredentialChange(
  services: Services,
  { actor, organizationId, change }: { actor: Actor; organizationId: string; change: CredentialChange },
): Promise<Result<Submitted>> {
  const request = async (args: Parameters<typeof requestChange>[1]['change']) => {
    const made = await requestChange(services, { actor, organizationId, change: args });
    const message = made.approvers > 0
      ? `Sent for approval: another administrator must approve it before ${formatDateTime(made.expiresAt)} UTC. Nothing has changed yet.`
      : 'Sent for approval, but you are the only administrator: invite a second administrator (Users) to approve it, or turn four-eyes approval off (Settings). Nothing has changed yet.';
    return ok<Submitted>({ applied: false, requestId: made.requestId, credentialId: args.credential?.id ?? null, message });
  };
  const stored = async (credentialId: string) =>
    services.prisma.credential.findFirst({ where: { id: credentialId, organizationId }, select: { label: true, config: true, version: true } });

  switch (change.kind) {
    case 'CREATE': {
      const prepared = await prepareCredentialCreate(services, { actor, organizationId, input: change.input });
      if (!prepared.ok) return prepared;
      const p = prepared.data;
      if (await needsApproval(services, { organizationId, environment: p.environment })) {
        const entity = await services.prisma.legalEntity.findUniqueOrThrow({ where: { id: p.legalEntityId }, select: { name: true } });
        const title = isCredentialProfile(p.profile) ? CREDENTIAL_PROFILES[p.profile].title : p.profile;
        return request({
          kind: 'CREATE',
          payload: { legalEntityId: p.legalEntityId, profile: p.profile, environment: p.environment, label: p.label, config: p.config, ...expiryOf(p.expiresAt) },
          secrets: p.secrets,
          label: p.label,
          config: p.config,
          target: `${title}, production, for ${entity.name}`,
        });
      }
      try {
        const id = await services.prisma.$transaction((tx) => applyCredentialCreate(tx, services.keyring, { actor, prepared: p }));
        return ok({ applied: true, credentialId: id });
      } catch (error) {
        if (error instanceof DuplicateLabel) return refuseChange(services.prisma, { actor, organizationId, action: 'credential.create', failure: duplicateLabel().error });
        if (error instanceof UnknownEntity) return refuseChange(services.prisma, { actor, organizationId, action: 'credential.create', failure: unknownEntity().error });
        throw error;
      }
    }
    case 'UPDATE':
    case 'STAGE': {
      const prepared = change.kind === 'UPDATE' ? await prepareCredentialUpdate(services, { actor, organizationId, input: change.input }) : await prepareStage(services, { actor, organizationId, input: change.input });
      if (!prepared.ok) return prepared;
      const p = prepared.data;
      if (await needsApproval(services, { organizationId, environment: p.credential.environment })) {
        const before = (await stored(p.credential.id))!;
        return request({
          kind: change.kind,
          credential: { id: p.credential.id, version: p.version, label: before.label, config: before.config as Record<string, string> },
          payload: { label: p.label, config: p.config, ...expiryOf(p.expiresAt) },
          secrets: p.secrets,
          ...(change.kind === 'UPDATE' ? { label: p.label, config: p.config } : {}),
        });
      }
      return applyNow(services, actor, organizationId, change.kind, p);
    }
    default: {
      const kind = change.kind;
      const parsed = ZCredentialRef.safeParse(change.input);
      const refuse = (failure: ReturnType<typeof fail>) => refuseChange(services.prisma, { actor, organizationId, action: ACTIONS[kind], credentialId: parsed.data?.credentialId, failure: failure.error });
      if (!parsed.success) return refuse(fail('NOT_FOUND', 'This credential does not exist.'));
      const input = parsed.data;
      const credential = await services.prisma.credential.findFirst({
        where: { id: input.credentialId, organizationId },
        select: { id: true, environment: true, status: true, version: true, deletedAt: true, label: true, config: true },
      });
      if (!credential) return refuse(fail('NOT_FOUND', 'This credential does not exist.'));
      const approval = await needsApproval(services, { organizationId, environment: credential.environment });
      if (approval) {
        // The same checks the change itself makes, so a request that could never apply is refused now.
        const recoverable = credential.deletedAt && credential.deletedAt.getTime() > now().getTime() - RECOVERY_DAYS * 86_400_000;
        if (credential.version !== input.version) return refuse(conflict());
        if (kind === 'REVOKE' && !canTransition(credential.status, 'REVOKED')) return refuse(fail('INVALID_STATE', 'This credential is already revoked.'));
        if (kind === 'DELETE' && credential.deletedAt) return refuse(fail('INVALID_STATE', 'This credential is already deleted.'));
        if (kind === 'RESTORE' && !recoverable) return refuse(fail('INVALID_STATE', 'Only a credential deleted in the last 30 days can be restored.'));
        if (kind === 'ROLLBACK') {
          const ready = await prepareRollback(services, { actor, organizationId, input });
          if (!ready.ok) return ready;
        }
        return request({ kind, credential: { id: credential.id, version: input.version, label: credential.label, config: credential.config as Record<string, string> }, payload: {} });
      }
      const done =
        kind === 'REVOKE'
          ? await revokeCredential(services, { actor, organizationId, input })
          : kind === 'ROLLBACK'
            ? await rollBackSecrets(services, { actor, organizationId, input })
            : await deleteCredential(services, { actor, organizationId, input, restore: kind === 'RESTORE' });
      return done.ok ? ok({ applied: true, credentialId: credential.id }) : done;
    }
  }
}

async function applyNow(services: Services, actor: Actor, organizationId: string, kind: 'UPDATE' | 'STAGE', prepared: PreparedUpdate): Promise<Result<Submitted>> {
  try {
    await services.prisma.$transaction(async (tx: Prisma.TransactionClient) => {
      if (kind === 'UPDATE') await applyCredentialUpdate(tx, services.keyring, { actor, prepared });
      else await applyStage(tx, services.keyring, { actor, prepared });
    });
  } catch (error) {
    if (error instanceof VersionConflict) return refuseChange(services.prisma, { actor, organizationId, action: ACTIONS[kind], credentialId: prepared.credential.id, failure: conflict().error });
    throw error;
  }
  if (kind === 'UPDATE') forgetAccessToken(prepared.credential.id);
  return ok({ applied: true, credentialId: prepared.credential.id });
}
