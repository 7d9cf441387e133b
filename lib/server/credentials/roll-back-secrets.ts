import 'server-only';
import { ZCredentialRef, type TCredentialRef } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { rollBack } from '@/lib/server/credentials/secret-versions';
import type { Approval } from '@/lib/server/credentials/update-credential';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { resetTokenGrant } from '@/lib/server/tokens/token-grant';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';
import type { Environment, Prisma } from '@/prisma/generated/client';

export const noPrevious = () => fail('INVALID_STATE', 'There is no previous version to go back to: none was kept, or its rollback window has ended.');

/** Checks that a rollback is possible now (refusals audited); writes nothing. */
export async function prepareRollback(
  { prisma }: Services,
  { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialRef },
): Promise<Result<{ credential: { id: string; organizationId: string; environment: Environment }; version: number }>> {
  const parsed = ZCredentialRef.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) =>
    refuseChange(prisma, { actor, organizationId, action: 'credential.rollback', credentialId: parsed.data?.credentialId, failure: failure.error });
  if (!parsed.success) return refuse(fail('NOT_FOUND', 'This credential does not exist.'));
  const credential = await prisma.credential.findFirst({
    where: { id: parsed.data.credentialId, organizationId, deletedAt: null },
    select: { id: true, organizationId: true, environment: true, status: true, version: true },
  });
  if (!credential) return refuse(fail('NOT_FOUND', 'This credential does not exist or was deleted.'));
  if (credential.status === 'REVOKED') return refuse(fail('INVALID_STATE', 'A revoked credential cannot be rolled back.'));
  if (credential.version !== parsed.data.version) return refuse(fail('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again; nothing was changed.'));
  const previous = await prisma.secretVersion.count({ where: { credentialId: credential.id, state: 'PREVIOUS', destroyAfter: { gt: now() } } });
  if (!previous) return refuse(noPrevious());
  return ok({ credential: { id: credential.id, organizationId: credential.organizationId, environment: credential.environment }, version: parsed.data.version });
}

/** Thrown inside the transaction when the previous version is gone (window ended since). */
export class NoPrevious extends Error {}

/**
 * Puts the previous version back in the caller's transaction: check-and-set on `version` (false if
 * it changed), throws NoPrevious if the window has ended, drops cached tokens, ACTIVE, audited.
 */
export async function applyRollback(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { actor, credential, version, approval }: { actor: Actor; credential: { id: string; organizationId: string }; version: number; approval?: Approval },
): Promise<boolean> {
  const at = now();
  const { count } = await tx.credential.updateMany({ where: { id: credential.id, version, status: { not: 'REVOKED' }, deletedAt: null }, data: { version: { increment: 1 }, configuredAt: at } });
  if (count === 0) return false;
  const { config } = await tx.credential.findUniqueOrThrow({ where: { id: credential.id }, select: { config: true } });
  const restored = await rollBack(tx, keyring, { credential, at, current: config as Record<string, string> });
  if (!restored) throw new NoPrevious();
  if (restored.expiresAt || Object.keys(restored.publicValues).length) {
    await tx.credential.update({
      where: { id: credential.id },
      data: { config: { ...(config as Record<string, string>), ...restored.publicValues }, ...(restored.expiresAt ? { expiresAt: restored.expiresAt } : {}) },
    });
  }
  await resetTokenGrant(tx, credential);
  await changeCredentialStatus(tx, {
    credential,
    to: 'ACTIVE',
    event: { actor, action: 'credential.rollback', outcome: 'SUCCESS', details: { secretVersion: restored.number, ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}) } },
  });
  return true;
}

/** Rolls back without approval (sandbox, or the policy off). */
export async function rollBackSecrets(services: Services, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: TCredentialRef }): Promise<Result<null>> {
  const prepared = await prepareRollback(services, { actor, organizationId, input });
  if (!prepared.ok) return prepared;
  const refuse = (failure: ReturnType<typeof fail>) => refuseChange(services.prisma, { actor, organizationId, action: 'credential.rollback', credentialId: prepared.data.credential.id, failure: failure.error });
  try {
    const done = await services.prisma.$transaction((tx) => applyRollback(tx, services.keyring, { actor, ...prepared.data }));
    if (done) forgetAccessToken(prepared.data.credential.id);
    return done ? ok(null) : refuse(fail('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again; nothing was changed.'));
  } catch (error) {
    if (error instanceof NoPrevious) return refuse(noPrevious());
    throw error;
  }
}
