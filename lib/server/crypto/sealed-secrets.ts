import 'server-only';
import { createHmac } from 'node:crypto';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { currentDataKey, currentSealingKeys, dataKeyById } from '@/lib/server/crypto/data-keys';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { openString, sealedDataKeyId, sealString } from '@/lib/server/crypto/sealed-format';
import type { Prisma } from '@/prisma/generated/client';

export interface SecretOwner {
  organizationId: string;
  /** Table and row the secret belongs to (bound into the ciphertext). */
  ownerTable: string;
  ownerId: string;
}

/** Which field failed to open, for the caller to report without the value. */
export class SecretIntegrityError extends Error {
  override name = 'SecretIntegrityError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`sealed value of ${field} cannot be opened: ${reason}`);
  }
}

const fingerprintWith = (key: { key: Buffer }, value: string) => createHmac('sha256', key.key).update(value, 'utf8').digest('hex').slice(0, 8);

/** 8 hex characters of HMAC-SHA256 under the organization's fingerprint key: equal values match. */
export async function fingerprintOf(db: Prisma.TransactionClient, keyring: Keyring, organizationId: string, value: string) {
  return fingerprintWith(await currentDataKey(db, keyring, organizationId, 'FINGERPRINT'), value);
}

/**
 * Seals the values of an owner that holds none yet (a row made in this transaction) and stores them
 * in one statement; returns each field's fingerprint.
 */
export async function writeNewSecrets(db: Prisma.TransactionClient, keyring: Keyring, owner: SecretOwner, values: Record<string, string>): Promise<Record<string, string>> {
  const { DATA: dataKey, FINGERPRINT: fingerprintKey } = await currentSealingKeys(db, keyring, owner.organizationId);
  const rows = Object.entries(values).map(([field, value]) => ({
    ...owner,
    field,
    sealed: sealString(dataKey, { organizationId: owner.organizationId, table: owner.ownerTable, rowId: owner.ownerId, field }, value),
    fingerprint: fingerprintWith(fingerprintKey, value),
    dataKeyId: dataKey.id,
  }));
  await db.sealedSecret.createMany({ data: rows });
  return Object.fromEntries(rows.map((row) => [row.field, row.fingerprint]));
}

/** Seals `value` under the organization's current data key and stores it, replacing any previous one. */
export async function writeSecret(
  db: Prisma.TransactionClient,
  keyring: Keyring,
  owner: SecretOwner,
  field: string,
  value: string,
): Promise<{ fingerprint: string }> {
  const dataKey = await currentDataKey(db, keyring, owner.organizationId, 'DATA');
  const context = { organizationId: owner.organizationId, table: owner.ownerTable, rowId: owner.ownerId, field };
  const sealed = sealString(dataKey, context, value);
  const fingerprint = await fingerprintOf(db, keyring, owner.organizationId, value);
  const data = { sealed, fingerprint, dataKeyId: dataKey.id };
  await db.sealedSecret.upsert({
    where: { ownerTable_ownerId_field: { ownerTable: owner.ownerTable, ownerId: owner.ownerId, field } },
    create: { ...owner, field, ...data },
    update: data,
  });
  return { fingerprint };
}

/** Opens the named fields of an owner; a field with no stored value is absent from the result. */
export async function readSecrets(
  db: Prisma.TransactionClient,
  keyring: Keyring,
  owner: SecretOwner,
  fields: readonly string[],
): Promise<Record<string, string>> {
  const rows = await db.sealedSecret.findMany({
    where: { ownerTable: owner.ownerTable, ownerId: owner.ownerId, field: { in: [...fields] } },
    select: { field: true, sealed: true },
  });
  return openSealedRows(db, keyring, owner, rows);
}

/** Opens sealed rows already read for `owner`; throws SecretIntegrityError naming the field that fails. */
export async function openSealedRows(
  db: Prisma.TransactionClient,
  keyring: Keyring,
  owner: SecretOwner,
  rows: readonly { field: string; sealed: string }[],
): Promise<Record<string, string>> {
  const opened: Record<string, string> = {};
  for (const row of rows) {
    const context = { organizationId: owner.organizationId, table: owner.ownerTable, rowId: owner.ownerId, field: row.field };
    try {
      const dataKey = await dataKeyById(db, keyring, sealedDataKeyId(row.sealed));
      if (dataKey.organizationId !== owner.organizationId || dataKey.purpose !== 'DATA') {
        throw new Error('sealed under another organization’s key');
      }
      opened[row.field] = openString(dataKey, context, row.sealed);
    } catch (error) {
      // A key provider that cannot be reached says nothing about the value: the caller answers 503.
      if (error instanceof KeyProviderError) throw error;
      throw new SecretIntegrityError(row.field, error instanceof Error ? error.message : 'unknown');
    }
  }
  return opened;
}

/** Which fields are set, with fingerprints; opens nothing. */
export async function describeSecrets(db: Prisma.TransactionClient, owner: Pick<SecretOwner, 'ownerTable' | 'ownerId'>) {
  const rows = await db.sealedSecret.findMany({
    where: { ownerTable: owner.ownerTable, ownerId: owner.ownerId },
    select: { field: true, fingerprint: true, updatedAt: true },
  });
  return new Map(rows.map((row) => [row.field, { fingerprint: row.fingerprint, updatedAt: row.updatedAt }]));
}

/** Destroys an owner's sealed values (all, or the named fields). */
export async function deleteSecrets(
  db: Prisma.TransactionClient,
  owner: Pick<SecretOwner, 'ownerTable' | 'ownerId'>,
  fields?: readonly string[],
): Promise<number> {
  const { count } = await db.sealedSecret.deleteMany({
    where: { ownerTable: owner.ownerTable, ownerId: owner.ownerId, ...(fields ? { field: { in: [...fields] } } : {}) },
  });
  return count;
}
