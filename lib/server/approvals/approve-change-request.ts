import 'server-only';
import { randomUUID } from 'node:crypto';
import { CHANGE_STATUSES, ZChangeRequestRef, type TChangeRequestRef } from '@/lib/schemas/governance';
import { closeChangeRequest, refuseRequest } from '@/lib/server/approvals/close-change-request';
import { requestOwner } from '@/lib/server/approvals/request-change';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { applyCredentialCreate, DuplicateLabel } from '@/lib/server/credentials/create-credential';
import { applyDelete } from '@/lib/server/credentials/delete-credential';
import { applyRevoke } from '@/lib/server/credentials/revoke-credential';
import { applyRollback, NoPrevious } from '@/lib/server/credentials/roll-back-secrets';
import { applyStage } from '@/lib/server/credentials/stage-secrets';
import { applyCredentialUpdate, VersionConflict, type Approval, type PreparedUpdate } from '@/lib/server/credentials/update-credential';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { readSecrets } from '@/lib/server/crypto/sealed-secrets';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';
import type { ChangeRequest, Environment, Prisma } from '@/prisma/generated/client';

/** The change could not be applied as requested: the request is closed as STALE with this reason. */
class Stale extends Error {}

type Payload = { label?: string; config?: Record<string, string>; expiresAt?: string | null; legalEntityId?: string; profile?: string; environment?: Environment };

/**
 * Approves a change request: another administrator than the requester (checked here, whatever the
 * form showed), while it is pending and not expired. In one transaction: the request is claimed
 * (one conditional update, so of two approvals at once exactly one applies), its sealed values are
 * opened and the change is applied with check-and-set on the version it was made against. If the
 * credential changed since, nothing is applied and the request is closed as stale, saying so.
 */
export async function approveChangeRequest(
  services: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TChangeRequestRef },
): Promise<Result<{ credentialId: string }>> {
  const { prisma, keyring } = services;
  const parsed = ZChangeRequestRef.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) => refuseRequest(prisma, actor, organizationId, 'change_request.approve', parsed.data?.requestId, failure);
  if (!parsed.success) return refuse(fail('NOT_FOUND', 'This change request does not exist.'));
  const request = await prisma.changeRequest.findFirst({ where: { id: parsed.data.requestId, organizationId }, include: { credential: { select: { deletedAt: true } } } });
  if (!request) return refuse(fail('NOT_FOUND', 'This change request does not exist.'));
  if (request.requestedById === actor.id) return refuse(fail('FORBIDDEN', 'You made this request: another administrator must approve it.'));
  if (request.status !== 'PENDING') return refuse(fail('INVALID_STATE', `This request can no longer be approved: it was ${CHANGE_STATUSES[request.status]}.`));
  const closeAs = async (status: 'EXPIRED' | 'STALE', message: string) => {
    await prisma.$transaction((tx) => closeChangeRequest(tx, { request, to: status, actor, reason: message }));
    return refuse(fail(status === 'EXPIRED' ? 'INVALID_STATE' : 'CONFLICT', message));
  };
  if (request.expiresAt.getTime() <= now().getTime()) return closeAs('EXPIRED', 'This request expired before anyone approved it; nothing was changed. Ask for it again if it is still needed.');
  // A request speaks for its requester: once they are no longer an active administrator, it cannot be approved.
  const requester = await prisma.user.findFirst({ where: { id: request.requestedById, organizationId, role: 'ADMIN', disabledAt: null }, select: { id: true } });
  if (!requester) return closeAs('STALE', 'The administrator who asked for this change is no longer an active administrator; nothing was changed.');
  if (request.kind !== 'CREATE' && (!request.credential || (request.kind !== 'RESTORE' && request.credential.deletedAt))) {
    return closeAs('STALE', 'The credential was deleted after this request was made; nothing was changed.');
  }

  const approval: Approval = { requestId: request.id, requestedBy: request.requestedBy };
  try {
    const credentialId = await prisma.$transaction(async (tx) => {
      const summary = request.summary as { secrets?: { field: string }[] };
      const secrets = await readSecrets(tx, keyring, requestOwner(request), (summary.secrets ?? []).map((s) => s.field));
      const newId = request.kind === 'CREATE' ? randomUUID() : undefined;
      if (!(await closeChangeRequest(tx, { request, to: 'APPLIED', actor, ...(newId ? { credentialId: newId } : {}) }))) throw new AlreadyDecided();
      const id = await apply(tx, keyring, { request, secrets, actor, approval, newId });
      if (request.kind === 'CREATE') await tx.changeRequest.update({ where: { id: request.id }, data: { credentialId: id } });
      return id;
    });
    if (credentialId) forgetAccessToken(credentialId);
    return ok({ credentialId });
  } catch (error) {
    if (error instanceof AlreadyDecided) {
      const current = await prisma.changeRequest.findUnique({ where: { id: request.id }, select: { status: true } });
      return refuse(fail('INVALID_STATE', `This request can no longer be approved: it was ${CHANGE_STATUSES[current?.status ?? 'APPLIED']}.`));
    }
    if (error instanceof Stale) return closeAs('STALE', error.message);
    throw error;
  }
}

class AlreadyDecided extends Error {}

async function apply(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { request, secrets, actor, approval, newId }: { request: ChangeRequest; secrets: Record<string, string>; actor: Actor; approval: Approval; newId?: string | undefined },
): Promise<string> {
  const payload = request.payload as Payload;
  const expiresAt = payload.expiresAt === undefined ? undefined : payload.expiresAt === null ? null : new Date(payload.expiresAt);
  const changedSince = 'The credential was changed after this request was made, so it was not applied. Make the request again from its current state.';
  const credential = { id: request.credentialId ?? '', organizationId: request.organizationId };
  const version = request.baseVersion ?? 0;
  try {
    switch (request.kind) {
      case 'CREATE':
        return await applyCredentialCreate(tx, keyring, {
          actor,
          approval,
          ...(newId ? { id: newId } : {}),
          prepared: {
            organizationId: request.organizationId,
            legalEntityId: payload.legalEntityId!,
            profile: payload.profile!,
            environment: payload.environment!,
            label: payload.label!,
            config: payload.config ?? {},
            secrets,
            expiresAt: expiresAt ?? null,
          },
        });
      case 'UPDATE':
      case 'STAGE': {
        const environment = (await tx.credential.findUniqueOrThrow({ where: { id: credential.id }, select: { environment: true } })).environment;
        const prepared: PreparedUpdate = { credential: { ...credential, environment }, version, label: payload.label ?? '', config: payload.config ?? {}, secrets, expiresAt };
        if (request.kind === 'UPDATE') await applyCredentialUpdate(tx, keyring, { actor, prepared, approval });
        else await applyStage(tx, keyring, { actor, prepared, approval });
        return credential.id;
      }
      case 'REVOKE':
        if ((await applyRevoke(tx, { actor, credential, version, approval })) === null) throw new Stale(changedSince);
        return credential.id;
      case 'DELETE':
      case 'RESTORE':
        if (!(await applyDelete(tx, { actor, credential, version, restore: request.kind === 'RESTORE', approval }))) {
          throw new Stale(request.kind === 'RESTORE' ? 'The credential changed or its recovery window ended after this request was made; nothing was restored.' : changedSince);
        }
        return credential.id;
      case 'ROLLBACK':
        if (!(await applyRollback(tx, keyring, { actor, credential, version, approval }))) throw new Stale(changedSince);
        return credential.id;
    }
  } catch (error) {
    if (error instanceof VersionConflict) throw new Stale(changedSince);
    if (error instanceof DuplicateLabel) throw new Stale('The entity got a credential with this label, type and environment after this request was made; nothing was created.');
    if (error instanceof NoPrevious) throw new Stale('The previous version’s rollback window ended after this request was made; nothing was changed.');
    throw error;
  }
}
