import 'server-only';
import type { Services } from '@/lib/server/services';

/** A credential's versions, newest first: who set and approved each, when, fingerprints, the pending test. Never a value. */
export async function listSecretVersions({ prisma }: Pick<Services, 'prisma'>, { organizationId, credentialId }: { organizationId: string; credentialId: string }) {
  const rows = await prisma.secretVersion.findMany({
    where: { organizationId, credentialId },
    orderBy: { number: 'desc' },
    take: 20,
    select: {
      number: true,
      state: true,
      fingerprints: true,
      expiresAt: true,
      setBy: true,
      approvedBy: true,
      createdAt: true,
      currentFrom: true,
      currentUntil: true,
      destroyAfter: true,
      retiredAt: true,
      retiredReason: true,
      lastTestAt: true,
      lastTestOutcome: true,
      lastTestMessage: true,
    },
  });
  return rows.map((row) => ({ ...row, fingerprints: row.fingerprints as Record<string, string> }));
}
export type SecretVersionDto = Awaited<ReturnType<typeof listSecretVersions>>[number];
