import 'server-only';
import { z } from 'zod';
import { profileDefinition } from '@/lib/schemas/credential-profiles';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { now } from '@/lib/server/clock';
import { probeCredential, SECRET_FIELDS_BY_TEST } from '@/lib/server/connection-tests/run-connection-test';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { openPendingSecrets, PUBLIC_VERSION_FIELDS } from '@/lib/server/credentials/secret-versions';
import { defaultPolicy, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';

/**
 * Runs the credential's connection test with its pending secrets (the current ones for fields the
 * pending version leaves as they are). The result is kept on the pending version, not in the
 * credential's history: a pending version that fails says nothing about the one in use. Nothing
 * is stored at the provider, and tokens keep coming from the current secrets.
 */
export async function testPendingVersion(
  services: Services,
  { organizationId, credentialId, actor, policy = defaultPolicy() }: { organizationId: string; credentialId: string; actor: Actor; policy?: OutboundPolicy },
): Promise<Result<{ outcome: 'SUCCESS' | 'FAILURE'; message: string; secretVersion: number }>> {
  if (!z.uuid().safeParse(credentialId).success) return fail('NOT_FOUND', 'This credential does not exist.');
  const credential = await services.prisma.credential.findFirst({ where: { id: credentialId, organizationId, deletedAt: null }, select: { profile: true } });
  if (!credential) return fail('NOT_FOUND', 'This credential does not exist.');
  const pending = await services.prisma.secretVersion.findFirst({ where: { credentialId, state: 'PENDING' }, select: { id: true, organizationId: true, number: true } });
  if (!pending) return fail('INVALID_STATE', 'This credential has no pending version to test.');
  const kind = profileDefinition(credential.profile)?.test ?? 'none';
  if (kind === 'none') return fail('INVALID_STATE', 'This type of credential has no connection test.');
  // A renewed certificate travels with its pending version (PUBLIC_VERSION_FIELDS).
  const fields = [...SECRET_FIELDS_BY_TEST[kind], ...PUBLIC_VERSION_FIELDS];
  const opened = await openCredentialForUse(services, { actor, credentialId, fields, purpose: 'pending_version_test' });
  if (!opened.ok) return opened;
  const staged = await openPendingSecrets(services.prisma, services.keyring, pending, fields);
  const { probe, durationMs, message } = await probeCredential(credential.profile, opened.data.config, { ...opened.data.secrets, ...staged }, policy);
  await services.prisma.$transaction(async (tx) => {
    await tx.secretVersion.update({ where: { id: pending.id }, data: { lastTestAt: now(), lastTestOutcome: probe.outcome, lastTestMessage: message } });
    await appendAuditEvent(tx, {
      actor,
      action: 'credential.test_pending',
      target: { type: 'Credential', id: credentialId },
      organizationId,
      outcome: probe.outcome === 'SUCCESS' ? 'SUCCESS' : 'FAILURE',
      details: { secretVersion: pending.number, durationMs, httpStatus: probe.httpStatus ?? null, errorCode: probe.errorCode ?? null },
    });
  });
  return ok({ outcome: probe.outcome, message, secretVersion: pending.number });
}
