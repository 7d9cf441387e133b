import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { markIntegrityFailure } from '@/lib/server/credentials/mark-integrity-failure';
import { credentialOwner, type Vault } from '@/lib/server/credentials/vault';
import { readSecrets, SecretIntegrityError } from '@/lib/server/crypto/sealed-secrets';
import { fail, ok, type Result } from '@/lib/server/result';

/**
 * Server-internal: opens the named secret fields of a credential for the code that will use them
 * (token requests, connection tests, the token API). Returns only those fields, and audits the use.
 * Never call this to render anything.
 */
export async function openCredentialForUse<Field extends string>(
  { prisma, keyring }: Vault,
  { actor, credentialId, fields, purpose }: { actor: Actor; credentialId: string; fields: readonly Field[]; purpose: string },
): Promise<Result<{ secrets: Partial<Record<Field, string>>; config: Record<string, string>; version: number }>> {
  const credential = await prisma.credential.findFirst({
    where: { id: credentialId, deletedAt: null },
    select: { id: true, organizationId: true, status: true, config: true, version: true },
  });
  if (!credential) return fail('NOT_FOUND', 'This credential does not exist or was deleted.');
  if (credential.status === 'REVOKED' || credential.status === 'DRAFT') {
    return fail('INVALID_STATE', credential.status === 'REVOKED' ? 'This credential was revoked.' : 'This credential is not configured yet.');
  }
  try {
    const secrets = await prisma.$transaction(async (tx) => {
      const opened = await readSecrets(tx, keyring, credentialOwner(credential), fields);
      await appendAuditEvent(tx, {
        actor,
        action: 'credential.open',
        target: { type: 'Credential', id: credential.id },
        organizationId: credential.organizationId,
        outcome: 'SUCCESS',
        details: { fields: [...fields], purpose },
      });
      return opened as Partial<Record<Field, string>>;
    });
    return ok({ secrets, config: credential.config as Record<string, string>, version: credential.version });
  } catch (error) {
    if (!(error instanceof SecretIntegrityError)) throw error;
    await markIntegrityFailure(prisma, credential, error.field);
    return fail('INTEGRITY', `The stored ${error.field} of this credential cannot be opened; an administrator must replace it.`);
  }
}
