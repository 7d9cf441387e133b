import 'server-only';
import { z } from 'zod';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { markIntegrityFailure } from '@/lib/server/credentials/mark-integrity-failure';
import { type Services } from '@/lib/server/services';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { openSealedRows, SecretIntegrityError } from '@/lib/server/crypto/sealed-secrets';
import { fail, ok, type Result } from '@/lib/server/result';
import type { CredentialStatus } from '@/prisma/generated/client';

interface UsableRow {
  id: string;
  organizationId: string;
  status: CredentialStatus;
  config: Record<string, string>;
  version: number;
  field: string | null;
  sealed: string | null;
}

/**
 * Server-internal: opens the named secret fields of a credential for the code that will use them
 * (token requests, connection tests, the token API). Returns only those fields, records the use
 * (lastUsedAt and an audit event naming the fields). Never call this to render anything.
 */
export async function openCredentialForUse<Field extends string>(
  { prisma, keyring }: Services,
  { actor, credentialId, fields, purpose }: { actor: Actor; credentialId: string; fields: readonly Field[]; purpose: string },
): Promise<Result<{ secrets: Partial<Record<Field, string>>; config: Record<string, string>; version: number }>> {
  if (!z.uuid().safeParse(credentialId).success) return fail('NOT_FOUND', 'This credential does not exist or was deleted.');
  // One round trip: mark the use and read the credential with the sealed fields asked for.
  const rows = await prisma.$queryRaw<UsableRow[]>`
    WITH used AS (
      UPDATE "Credential" SET "lastUsedAt" = now()
       WHERE id = ${credentialId}::uuid AND "deletedAt" IS NULL AND status NOT IN ('DRAFT', 'REVOKED')
      RETURNING id, "organizationId", status, config, version
    )
    SELECT used.id::text, used."organizationId"::text, used.status, used.config, used.version, s.field, s.sealed
      FROM used LEFT JOIN "SealedSecret" s
        ON s."ownerTable" = 'Credential' AND s."ownerId" = used.id AND s.field = ANY(${[...fields]}::text[])`;
  const credential = rows[0];
  if (!credential) return explainUnusable(prisma, credentialId);
  try {
    const sealedRows = rows.filter((row): row is UsableRow & { field: string; sealed: string } => row.field !== null && row.sealed !== null);
    const secrets = (await openSealedRows(prisma, keyring, credentialOwner(credential), sealedRows)) as Partial<Record<Field, string>>;
    // The use is recorded before the values leave: no audit event, no secret.
    await recordAuditEvent(prisma, {
      actor,
      action: 'credential.open',
      target: { type: 'Credential', id: credential.id },
      organizationId: credential.organizationId,
      outcome: 'SUCCESS',
      details: { fields: [...fields], purpose },
    });
    return ok({ secrets, config: credential.config, version: credential.version });
  } catch (error) {
    if (!(error instanceof SecretIntegrityError)) throw error;
    await markIntegrityFailure(prisma, credential, error.field);
    return fail('INTEGRITY', `The stored ${error.field} of this credential cannot be opened; an administrator must replace it.`);
  }
}

async function explainUnusable(prisma: Services['prisma'], credentialId: string) {
  const found = await prisma.credential.findFirst({ where: { id: credentialId, deletedAt: null }, select: { status: true } });
  if (!found) return fail('NOT_FOUND', 'This credential does not exist or was deleted.');
  return fail('INVALID_STATE', found.status === 'REVOKED' ? 'This credential was revoked.' : 'This credential is not configured yet.');
}
