import 'server-only';
import { randomUUID } from 'node:crypto';
import { CHANGE_STATUSES, ZChangeRequestRef, type TChangeRequestRef } from '@/lib/schemas/governance';
import { closeChangeRequest, refuseRequest } from '@/lib/server/approvals/close-change-request';
import { requestOwner } from '@/lib/server/approvals/request-change';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { applyCredentialCreate, DuplicateLabel, UnknownEntity } from '@/lib/server/credentials/create-credential';
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
import { approverRefusal } from '@/lib/server/approvals/admin-standing';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import type { Mailer } from '@/lib/server/mail/mailer';
import { forgetDataKeys } from '@/lib/server/crypto/data-keys';
import { applyShred, SHRED_TIMEOUT_MS } from '@/lib/server/organization/shred-organization';
import { applySsoSettings, type SsoSettings } from '@/lib/server/sso/sso-connection';
import { writeRoleChange } from '@/lib/server/users/change-role';
import { issueInvitation, type IssuedLink } from '@/lib/server/users/invite-user';

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
  { actor, organizationId, input, links }: { actor: Actor; organizationId: string; input: TChangeRequestRef; /** Where an approved invitation's link points, and how it is mailed. */ links?: { baseUrl: string; mailer: Mailer | null } },
): Promise<Result<{ credentialId: string | null; invitation?: IssuedLink & { email: string } }>> {
  const { prisma, keyring } = services;
  const parsed = ZChangeRequestRef.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) => refuseRequest(prisma, actor, organizationId, 'change_request.approve', parsed.data?.requestId, failure);
  if (!parsed.success) return refuse(fail('NOT_FOUND', 'This change request does not exist.'));
  const request = await prisma.changeRequest.findFirst({ where: { id: parsed.data.requestId, organizationId }, include: { credential: { select: { deletedAt: true } } } });
  if (!request) return refuse(fail('NOT_FOUND', 'This change request does not exist.'));
  if (request.requestedById === actor.id) return refuse(fail('FORBIDDEN', 'You made this request: another administrator must approve it.'));
  const standing = actor.id ? await approverRefusal(prisma, { approverId: actor.id, requestedAt: request.requestedAt }) : 'Only an administrator can approve.';
  if (standing) return refuse(fail('FORBIDDEN', standing));
  if (request.status !== 'PENDING') return refuse(fail('INVALID_STATE', `This request can no longer be approved: it was ${CHANGE_STATUSES[request.status]}.`));
  const closeAs = async (status: 'EXPIRED' | 'STALE', message: string) => {
    await prisma.$transaction((tx) => closeChangeRequest(tx, { request, to: status, actor, reason: message }));
    return refuse(fail(status === 'EXPIRED' ? 'INVALID_STATE' : 'CONFLICT', message));
  };
  if (request.expiresAt.getTime() <= now().getTime()) return closeAs('EXPIRED', 'This request expired before anyone approved it; nothing was changed. Ask for it again if it is still needed.');
  // A request speaks for its requester: once they are no longer an active administrator, it cannot be approved.
  const requester = await prisma.user.findFirst({ where: { id: request.requestedById, organizationId, role: 'ADMIN', disabledAt: null }, select: { id: true } });
  if (!requester) return closeAs('STALE', 'The administrator who asked for this change is no longer an active administrator; nothing was changed.');
  if (request.kind === 'ADMIN_GRANT' || request.kind === 'APPROVAL_POLICY' || request.kind === 'ORGANIZATION_SHRED' || request.kind === 'SSO_CONNECTION') return approveAdministration(services, { actor, request, links, refuse, closeAs });
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

/**
 * Applies an approved change to who administers the organization: an administrator's invitation
 * (issued now, by the approver: its link is mailed and shown to them, never to the requester), a
 * promotion, turning the approval policy off, crypto-shredding the organization, or its single sign-on. Claimed and
 * applied in one transaction, except the invitation's mail, sent after it.
 */
async function approveAdministration(
  { prisma, keyring }: Services,
  {
    actor,
    request,
    links,
    refuse,
    closeAs,
  }: {
    actor: Actor;
    request: ChangeRequest;
    links: { baseUrl: string; mailer: Mailer | null } | undefined;
    refuse: (failure: ReturnType<typeof fail>) => Promise<ReturnType<typeof fail>>;
    closeAs: (status: 'EXPIRED' | 'STALE', message: string) => Promise<ReturnType<typeof fail>>;
  },
): Promise<Result<{ credentialId: null; invitation?: IssuedLink & { email: string } }>> {
  const payload = request.payload as { email?: string; userId?: string; policy?: { approvalHours: number; rollbackDays: number } };
  const approval = { requestId: request.id, requestedBy: request.requestedBy };
  const { organizationId } = request;
  if (request.kind === 'ADMIN_GRANT' && payload.userId === actor.id) return refuse(fail('FORBIDDEN', 'This request makes you an administrator: another administrator must approve it.'));
  if (request.kind === 'ADMIN_GRANT' && !payload.userId) {
    if (!links) return refuse(fail('INVALID_STATE', 'Approve this invitation from the Approvals page.'));
    if (await prisma.user.findFirst({ where: { email: payload.email!, organizationId }, select: { id: true } })) return closeAs('STALE', `${payload.email} has an account already; nothing was sent.`);
  }
  let shredded: string[] = [];
  try {
    await prisma.$transaction(
      async (tx) => {
        // A new client secret sealed under the request is read before closing it destroys it.
        const { clientSecret } = request.kind === 'SSO_CONNECTION' ? await readSecrets(tx, keyring, requestOwner(request), ['clientSecret']) : {};
        if (!(await closeChangeRequest(tx, { request, to: 'APPLIED', actor }))) throw new AlreadyDecided();
        if (request.kind === 'SSO_CONNECTION') {
          await applySsoSettings(tx, keyring, { actor, organizationId, settings: (request.payload as { settings: SsoSettings }).settings, clientSecret, approval });
        } else if (request.kind === 'ORGANIZATION_SHRED') {
          shredded = (await applyShred(tx, keyring, { actor, organizationId, approval })).keyIds;
        } else if (request.kind === 'APPROVAL_POLICY') {
          const policy = { requireApproval: false, ...(payload.policy ? { approvalHours: payload.policy.approvalHours, rollbackDays: payload.policy.rollbackDays } : {}) };
          await tx.organization.update({ where: { id: organizationId }, data: policy });
          await appendAuditEvent(tx, { actor, action: 'organization.approval_policy', target: { type: 'Organization', id: organizationId }, organizationId, outcome: 'SUCCESS', details: { requireApprovalBefore: true, ...policy, changeRequest: request.id, requestedBy: request.requestedBy } });
        } else if (payload.userId) {
          const failure = await writeRoleChange(tx, { actor, organizationId, userId: payload.userId, role: 'ADMIN', approval });
          if (failure) throw new Stale(`${failure.message} Nothing was changed.`);
        }
      },
      { timeout: request.kind === 'ORGANIZATION_SHRED' ? SHRED_TIMEOUT_MS : undefined },
    );
  } catch (error) {
    if (error instanceof AlreadyDecided) return refuse(fail('INVALID_STATE', 'This request can no longer be approved: it was decided already.'));
    if (error instanceof Stale) return closeAs('STALE', error.message);
    throw error;
  }
  forgetDataKeys(shredded);
  if (request.kind === 'ADMIN_GRANT' && !payload.userId && links) {
    const invitation = await issueInvitation(prisma, { actor, organizationId, email: payload.email!, role: 'ADMIN', ...links, action: 'user.invite' });
    return ok({ credentialId: null, invitation: { ...invitation, email: payload.email! } });
  }
  return ok({ credentialId: null });
}

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
      default:
        throw new Error(`a ${request.kind} request is not a credential change`);
    }
  } catch (error) {
    if (error instanceof VersionConflict) throw new Stale(changedSince);
    if (error instanceof DuplicateLabel) throw new Stale('The entity got a credential with this label, type and environment after this request was made; nothing was created.');
    if (error instanceof UnknownEntity) throw new Stale('The legal entity was deleted after this request was made; nothing was created.');
    if (error instanceof NoPrevious) throw new Stale('The previous version’s rollback window ended after this request was made; nothing was changed.');
    throw error;
  }
}
