import 'server-only';
import { describeProfile } from '@/lib/schemas/credential-profiles';
import type { Prisma } from '@/prisma/generated/client';

export type NoticeData = Record<string, string | number | boolean | null>;

/**
 * What a notification says about a credential (ids, labels, status, expiry): the data of its
 * webhook payload and the words of its mail. Never a config value or a secret.
 */
export async function credentialNotices(db: Prisma.TransactionClient, credentialIds: readonly string[]): Promise<Map<string, NoticeData>> {
  const rows = await db.credential.findMany({
    where: { id: { in: [...credentialIds] } },
    select: { id: true, organizationId: true, label: true, profile: true, environment: true, status: true, expiresAt: true, legalEntity: { select: { id: true, name: true, country: true } } },
  });
  return new Map(
    rows.map((row) => [
      row.id,
      {
        organizationId: row.organizationId,
        credentialId: row.id,
        credentialLabel: row.label,
        profile: row.profile,
        profileTitle: describeProfile(row.profile).title,
        environment: row.environment,
        status: row.status,
        expiresAt: row.expiresAt?.toISOString() ?? null,
        legalEntityId: row.legalEntity.id,
        legalEntityName: row.legalEntity.name,
        country: row.legalEntity.country,
      },
    ]),
  );
}
