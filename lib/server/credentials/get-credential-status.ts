import 'server-only';
import { now as currentTime } from '@/lib/server/clock';
import { leadDaysFor } from '@/lib/expiry';
import type { z } from 'zod';
import type { ZCredentialStatus } from '@/lib/schemas/service-api';
import { credentialHealth } from '@/lib/credential-health';
import { describeProfile, profileDefinition } from '@/lib/schemas/credential-profiles';
import { markIntegrityFailure } from '@/lib/server/credentials/mark-integrity-failure';
import { type Services } from '@/lib/server/services';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import { storedCertificateFacts } from '@/lib/server/credentials/certificate-checks';
import { describeSecrets, readSecrets, SecretIntegrityError } from '@/lib/server/crypto/sealed-secrets';

/** Everything a person may know about a credential (the shape the API documents). No secret, no sealed value. */
export type CredentialStatusDto = z.input<typeof ZCredentialStatus>;
export type CredentialFieldStatus = CredentialStatusDto['fields'][number];

/**
 * The status of one credential of the organization. Also checks that every sealed value still opens
 * (in memory, discarded at once), so a corrupted value shows as NEEDS_ATTENTION here.
 */
export async function getCredentialStatus(
  { prisma, keyring }: Services,
  { organizationId, credentialId, now = currentTime() }: { organizationId: string; credentialId: string; now?: Date },
): Promise<CredentialStatusDto | null> {
  const row = await prisma.credential.findFirst({
    where: { id: credentialId, organizationId },
    select: {
      id: true,
      organizationId: true,
      label: true,
      profile: true,
      environment: true,
      status: true,
      version: true,
      config: true,
      expiresAt: true,
      configuredAt: true,
      configuredBy: { select: { name: true } },
      lastUsedAt: true,
      lastError: true,
      revokedAt: true,
      deletedAt: true,
      deletedBy: true,
      legalEntity: { select: { id: true, name: true, taxId: true } },
      organization: { select: { expiryLeadDays: true } },
      connectionTests: { orderBy: { startedAt: 'desc' }, take: 1, select: { startedAt: true, outcome: true, message: true, errorCode: true, httpStatus: true } },
    },
  });
  if (!row) return null;
  const owner = credentialOwner(row);
  const stored = await describeSecrets(prisma, owner);
  let { status, lastError } = row;
  if (stored.size > 0 && status !== 'NEEDS_ATTENTION') {
    try {
      await readSecrets(prisma, keyring, owner, [...stored.keys()]);
    } catch (error) {
      if (!(error instanceof SecretIntegrityError)) throw error;
      await markIntegrityFailure(prisma, row, error.field);
      status = 'NEEDS_ATTENTION';
      lastError = `Integrity: the stored ${error.field} cannot be opened; replace it.`;
    }
  }
  const config = row.config as Record<string, string>;
  const definition = profileDefinition(row.profile);
  const fields: CredentialFieldStatus[] = (definition?.fields ?? []).map((f) => ({
    name: f.name,
    label: f.label,
    kind: f.kind,
    secret: f.secret,
    required: f.required,
    value: f.secret ? null : (config[f.name] ?? null),
    set: f.secret ? stored.has(f.name) : config[f.name] !== undefined,
    fingerprint: f.secret ? (stored.get(f.name)?.fingerprint ?? null) : null,
    ...(f.help ? { help: f.help } : {}),
    ...(f.options ? { options: f.options } : {}),
    ...(f.defaultValue ? { defaultValue: f.defaultValue } : {}),
  }));
  const lastTest = row.connectionTests[0] ?? null;
  return {
    id: row.id,
    label: row.label,
    profile: row.profile,
    profileTitle: describeProfile(row.profile).title,
    environment: row.environment,
    status,
    health: credentialHealth({ status, expiresAt: row.expiresAt, lastTest, leadDays: leadDaysFor(row.profile, row.organization.expiryLeadDays) }, now),
    version: row.version,
    legalEntity: row.legalEntity,
    expiresAt: row.expiresAt,
    configuredAt: row.configuredAt,
    configuredBy: row.configuredBy?.name ?? null,
    lastUsedAt: row.lastUsedAt,
    lastError,
    revokedAt: row.revokedAt,
    deletedAt: row.deletedAt,
    deletedBy: row.deletedBy,
    fields,
    lastTest,
    certificate: definition?.fields.some((f) => f.name === 'certificate') ? await storedCertificateFacts(row.profile, config) : null,
    notice: definition?.notice ?? null,
  };
}
