import 'server-only';
import type { KeyProvider, Keyring } from '@/lib/server/crypto/keyring';
import type { DataKeyPurpose, PrismaClient } from '@/prisma/generated/client';

export interface KeyStatus {
  keyEncryptionKeys: { id: string; provider: KeyProvider; current: boolean; dataKeys: number }[];
  /** KEK ids that wrap data keys but are not configured: those data keys cannot be opened. */
  unknownKekIds: string[];
  dataKeys: { id: string; organization: string; purpose: DataKeyPurpose; version: number; kekId: string; sealedValues: number }[];
}

/** Which keys are in use by what, so an old key-encryption key can be retired safely. */
export async function keyStatus(prisma: PrismaClient, keyring: Keyring): Promise<KeyStatus> {
  const dataKeys = await prisma.dataKey.findMany({
    orderBy: [{ organizationId: 'asc' }, { purpose: 'asc' }, { version: 'asc' }],
    select: { id: true, purpose: true, version: true, kekId: true, organization: { select: { slug: true } }, _count: { select: { sealedSecrets: true } } },
  });
  const perKek = new Map<string, number>();
  for (const key of dataKeys) perKek.set(key.kekId, (perKek.get(key.kekId) ?? 0) + 1);
  return {
    keyEncryptionKeys: [...keyring.byId.values()].map((kek) => ({ id: kek.id, provider: kek.provider, current: kek === keyring.current, dataKeys: perKek.get(kek.id) ?? 0 })),
    unknownKekIds: [...perKek.keys()].filter((id) => !keyring.byId.has(id)),
    dataKeys: dataKeys.map((key) => ({
      id: key.id,
      organization: key.organization.slug,
      purpose: key.purpose,
      version: key.version,
      kekId: key.kekId,
      sealedValues: key._count.sealedSecrets,
    })),
  };
}
