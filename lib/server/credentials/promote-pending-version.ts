import 'server-only';
import { profileDefinition, SECRET_EXPIRY_FIELD, ZCredentialRef, type TCredentialRef } from '@/lib/schemas/credential-profiles';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { refuseChange } from '@/lib/server/credentials/refuse-change';
import { discardPending, promotePending } from '@/lib/server/credentials/secret-versions';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { resetTokenGrant } from '@/lib/server/tokens/token-grant';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';
import type { Prisma } from '@/prisma/generated/client';

class Refused extends Error {
  constructor(readonly failure: ReturnType<typeof fail>) {
    super(failure.error.message);
  }
}

const changed = () => fail('CONFLICT', 'Someone changed this credential after you opened it. Reload and try again; nothing was changed.');
const noPending = () => fail('INVALID_STATE', 'This credential has no pending version; set pending secrets first.');

/**
 * Pending → current (`discard: false`): the pending secrets become the ones tokens, tests and the
 * service API use, the replaced ones are kept as the previous version for the rollback window, and
 * cached tokens are dropped. Or throws the pending version away (`discard: true`). Check-and-set on
 * the credential's version; refusals (no pending version, changed since) are audited.
 */
export async function promotePendingVersion(
  { prisma, keyring }: Services,
  { actor, organizationId, input, discard = false }: { actor: Actor; organizationId: string; input: TCredentialRef; discard?: boolean },
): Promise<Result<{ secretVersion: number | null }>> {
  const action = discard ? 'credential.discard_pending' : 'credential.promote';
  const parsed = ZCredentialRef.safeParse(input);
  const refuse = (failure: ReturnType<typeof fail>) => refuseChange(prisma, { actor, organizationId, action, credentialId: parsed.data?.credentialId, failure: failure.error });
  if (!parsed.success) return refuse(fail('NOT_FOUND', 'This credential does not exist.'));
  const { credentialId, version } = parsed.data;
  const credential = await prisma.credential.findFirst({ where: { id: credentialId, organizationId, deletedAt: null }, select: { id: true, organizationId: true, profile: true, config: true, status: true } });
  if (!credential) return refuse(fail('NOT_FOUND', 'This credential does not exist or was deleted.'));
  // A draft's pending version is a key waiting for its certificate (KSeF enrolment): it is completed, not promoted.
  if (credential.status === 'DRAFT' && !discard) return refuse(fail('INVALID_STATE', 'This credential is not configured yet: attach the certificate issued for its key first.'));
  try {
    const number = await prisma.$transaction(async (tx: Prisma.TransactionClient) => {
      const at = now();
      const { count } = await tx.credential.updateMany({ where: { id: credentialId, version, status: { not: 'REVOKED' }, deletedAt: null }, data: { version: { increment: 1 } } });
      if (count === 0) throw new Refused(changed());
      if (discard) {
        const [discarded] = await discardPending(tx, { credential, at });
        if (!discarded) throw new Refused(noPending());
        await appendAuditEvent(tx, { actor, action, target: { type: 'Credential', id: credentialId }, organizationId, outcome: 'SUCCESS', details: { secretVersion: discarded.number } });
        return discarded.number;
      }
      const stored = credential.config as Record<string, string>;
      const promoted = await promotePending(tx, keyring, { credential, at, current: stored });
      if (!promoted) throw new Refused(noPending());
      if (promoted.expiresAt || Object.keys(promoted.publicValues).length) {
        const hasEndDate = promoted.expiresAt && profileDefinition(credential.profile)?.fields.some((f) => f.name === SECRET_EXPIRY_FIELD);
        const config = { ...stored, ...promoted.publicValues, ...(hasEndDate ? { [SECRET_EXPIRY_FIELD]: promoted.expiresAt!.toISOString().slice(0, 10) } : {}) };
        await tx.credential.update({ where: { id: credentialId }, data: { config, ...(promoted.expiresAt ? { expiresAt: promoted.expiresAt } : {}) } });
      }
      await tx.credential.update({ where: { id: credentialId }, data: { configuredAt: at, configuredById: actor.type === 'USER' ? (actor.id ?? null) : null } });
      await resetTokenGrant(tx, credential);
      await changeCredentialStatus(tx, { credential, to: 'ACTIVE', event: { actor, action, outcome: 'SUCCESS', details: { secretVersion: promoted.number } } });
      return promoted.number;
    });
    if (!discard) forgetAccessToken(credentialId);
    return ok({ secretVersion: number });
  } catch (error) {
    if (error instanceof Refused) return refuse(error.failure);
    throw error;
  }
}
