import 'server-only';
import { randomBytes } from 'node:crypto';
import { nowMs } from '@/lib/server/clock';
import { IntegrityError } from '@/lib/server/crypto/aes-gcm';
import { KeyProviderError, type WrapContext } from '@/lib/server/crypto/key-encryption-key';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { strictBase64url } from '@/lib/server/crypto/sealed-format';
import type { DataKeyPurpose, Prisma } from '@/prisma/generated/client';

export interface OpenDataKey {
  id: string;
  organizationId: string;
  purpose: DataKeyPurpose;
  version: number;
  key: Buffer;
}

interface DataKeyRow {
  id: string;
  organizationId: string;
  purpose: DataKeyPurpose;
  version: number;
  kekId: string;
  wrappedKey: string;
}

const WRAP_FORMAT = 'kw1';
/** What a wrapped key is bound to: a data key, or another key kept under the KEK (the audit signing key). */
interface WrappedIdentity {
  id: string;
  organizationId: string;
  purpose: string;
}
const wrapContext = (row: WrappedIdentity): WrapContext => ({ organizationId: row.organizationId, keyId: row.id, purpose: row.purpose });

/** "kw1.<kekId>.<nonce>.<ciphertext>": the data key sealed under a key-encryption key (a remote provider's nonce is empty). */
export async function wrapDataKey(keyring: Keyring, row: WrappedIdentity, key: Buffer) {
  const kek = keyring.current;
  const { nonce, sealed } = await kek.wrap(key, wrapContext(row));
  return { kekId: kek.id, wrappedKey: [WRAP_FORMAT, kek.id, nonce.toString('base64url'), sealed.toString('base64url')].join('.') };
}

export async function unwrapDataKey(keyring: Keyring, row: WrappedIdentity & Pick<DataKeyRow, 'kekId' | 'wrappedKey'>): Promise<Buffer> {
  const [format, kekId, nonce, sealed, extra] = row.wrappedKey.split('.');
  if (format !== WRAP_FORMAT || kekId !== row.kekId || nonce === undefined || !sealed || extra !== undefined) {
    throw new IntegrityError(`data key ${row.id} is not wrapped in a known format`);
  }
  const kek = keyring.byId.get(kekId);
  if (!kek) {
    // A configuration gap, not damage: nothing is marked broken, and it is said how to fix it.
    throw new KeyProviderError(
      `data key ${row.id} is wrapped under key ${kekId}, which is not configured (add it to STRONGROOM_KEK_PREVIOUS)`,
    );
  }
  return kek.unwrap(strictBase64url(nonce), strictBase64url(sealed), wrapContext(row));
}

/**
 * How long an unwrapped data key is kept in memory: the bound on serving from memory after the key
 * provider went away, and on another instance still using a shredded organization's key.
 */
export const DATA_KEY_CACHE_MS = 5 * 60_000;

// Unwrapped keys by id, each until a moment. Rewrapping never changes a key, so entries stay valid;
// a shredded key is removed here by the process that shreds it, and elsewhere when its time is up.
const entries = new Map<string, { open: OpenDataKey; until: number }>();
const cache = {
  get(id: string): OpenDataKey | undefined {
    const entry = entries.get(id);
    if (entry && entry.until > nowMs()) return entry.open;
    entries.delete(id);
    return undefined;
  },
  set(id: string, open: OpenDataKey) {
    entries.set(id, { open, until: nowMs() + DATA_KEY_CACHE_MS });
  },
};

const rowSelect = { id: true, organizationId: true, purpose: true, version: true, kekId: true, wrappedKey: true } as const;

async function remember(keyring: Keyring, row: DataKeyRow): Promise<OpenDataKey> {
  const open = { id: row.id, organizationId: row.organizationId, purpose: row.purpose, version: row.version, key: await unwrapDataKey(keyring, row) };
  cache.set(row.id, open);
  return open;
}

/** A data key by id (to open a value sealed under it), or IntegrityError if it is gone. */
export async function dataKeyById(db: Prisma.TransactionClient, keyring: Keyring, id: string): Promise<OpenDataKey> {
  const hit = cache.get(id);
  if (hit) return hit;
  const row = await db.dataKey.findUnique({ where: { id }, select: rowSelect });
  if (!row) throw new IntegrityError(`data key ${id} does not exist (destroyed or never created)`);
  return remember(keyring, row);
}

/** The organization's newest key of `purpose`; the first is created on first use. */
export async function currentDataKey(
  db: Prisma.TransactionClient,
  keyring: Keyring,
  organizationId: string,
  purpose: DataKeyPurpose,
): Promise<OpenDataKey> {
  const row = await db.dataKey.findFirst({ where: { organizationId, purpose }, orderBy: { version: 'desc' }, select: rowSelect });
  if (row) return cache.get(row.id) ?? remember(keyring, row);
  return createDataKey(db, keyring, organizationId, purpose, 1);
}

/** The organization's newest keys for sealing and for fingerprints, read together. */
export async function currentSealingKeys(db: Prisma.TransactionClient, keyring: Keyring, organizationId: string): Promise<Record<'DATA' | 'FINGERPRINT', OpenDataKey>> {
  const rows = await db.dataKey.findMany({ where: { organizationId, purpose: { in: ['DATA', 'FINGERPRINT'] } }, orderBy: { version: 'desc' }, distinct: ['purpose'], select: rowSelect });
  const open = async (purpose: 'DATA' | 'FINGERPRINT') => {
    const row = rows.find((r) => r.purpose === purpose);
    return row ? (cache.get(row.id) ?? remember(keyring, row)) : createDataKey(db, keyring, organizationId, purpose, 1);
  };
  return { DATA: await open('DATA'), FINGERPRINT: await open('FINGERPRINT') };
}

/** Creates version `version` of an organization's key of `purpose` (rotation creates version n+1). */
export async function createDataKey(
  db: Prisma.TransactionClient,
  keyring: Keyring,
  organizationId: string,
  purpose: DataKeyPurpose,
  version: number,
): Promise<OpenDataKey> {
  const id = crypto.randomUUID();
  const key = randomBytes(32);
  const wrapped = await wrapDataKey(keyring, { id, organizationId, purpose }, key);
  // A concurrent first use may create the same version: the unique index lets one win, and the loser
  // reads the winner's key.
  const created = await db.dataKey.createMany({
    data: [{ id, organizationId, purpose, version, ...wrapped }],
    skipDuplicates: true,
  });
  if (created.count === 0) {
    const winner = await db.dataKey.findUniqueOrThrow({
      where: { organizationId_purpose_version: { organizationId, purpose, version } },
      select: rowSelect,
    });
    return remember(keyring, winner);
  }
  const open = { id, organizationId, purpose, version, key };
  cache.set(id, open);
  return open;
}

/** Forgets cached keys (after destroying them, or in tests that swap keyrings). */
export function forgetDataKeys(ids?: string[]): void {
  if (!ids) entries.clear();
  else for (const id of ids) entries.delete(id);
}
