import 'server-only';
import { credentialOwner } from '@/lib/server/credentials/credential-secrets';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { deleteSecrets, describeSecrets, openSealedRows, readSecrets, writeNewSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import type { Prisma } from '@/prisma/generated/client';

// A credential's secrets come in versions (SecretVersion). The CURRENT version's values are the
// credential's own sealed secrets, the only ones tokens, tests and the service API ever open. A
// PENDING version (staged rotation) and the PREVIOUS one (kept for a rollback) hold theirs sealed
// under the version's row, so nothing that serves the credential can reach them by mistake. Values
// move between owners by being opened and sealed again: the ciphertext stays bound to its owner.
// Every function here runs inside the caller's transaction, after the caller's check-and-set on
// the credential's row, which is what keeps two changes to one credential from interleaving.

interface CredentialRef {
  id: string;
  organizationId: string;
}

/** Sealed values of a pending or previous version belong to this owner. */
export const versionOwner = (version: { id: string; organizationId: string }) => ({
  organizationId: version.organizationId,
  ownerTable: 'SecretVersion',
  ownerId: version.id,
});

interface Attribution {
  at: Date;
  /** Who set the values, and who approved them (four-eyes), as the audit trail names them. */
  setBy: string | null;
  approvedBy?: string | null;
}

const nextNumber = async (tx: Prisma.TransactionClient, credentialId: string) =>
  ((await tx.secretVersion.aggregate({ where: { credentialId }, _max: { number: true } }))._max.number ?? 0) + 1;

const currentFingerprints = async (tx: Prisma.TransactionClient, credential: CredentialRef) =>
  Object.fromEntries([...(await describeSecrets(tx, credentialOwner(credential))).entries()].map(([field, { fingerprint }]) => [field, fingerprint]));

async function retire(tx: Prisma.TransactionClient, where: Prisma.SecretVersionWhereInput, reason: string, at: Date) {
  const versions = await tx.secretVersion.findMany({ where, select: { id: true, organizationId: true, credentialId: true, number: true } });
  for (const version of versions) await deleteSecrets(tx, versionOwner(version));
  if (versions.length) await tx.secretVersion.updateMany({ where: { id: { in: versions.map((v) => v.id) } }, data: { state: 'RETIRED', retiredAt: at, retiredReason: reason, destroyAfter: null } });
  return versions;
}

/**
 * The credential's current values (with the public values they go with) become the PREVIOUS
 * version, restorable for the organization's rollback window; the previous one before it, except
 * `keep`, is destroyed. Nothing held: nothing to keep.
 */
async function keepAsPrevious(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { credential, at, replacedPublic, keep }: { credential: CredentialRef; at: Date; replacedPublic: Record<string, string>; keep?: string },
) {
  const owner = credentialOwner(credential);
  const held = await tx.sealedSecret.findMany({ where: { ownerTable: owner.ownerTable, ownerId: owner.ownerId }, select: { field: true, sealed: true, fingerprint: true } });
  if (held.length === 0) return;
  const { rollbackDays } = await tx.organization.findUniqueOrThrow({ where: { id: credential.organizationId }, select: { rollbackDays: true } });
  await retire(tx, { credentialId: credential.id, state: 'PREVIOUS', ...(keep ? { id: { not: keep } } : {}) }, 'replaced by a newer version', at);
  const current =
    (await tx.secretVersion.findFirst({ where: { credentialId: credential.id, state: 'CURRENT' }, select: { id: true, organizationId: true } })) ??
    (await tx.secretVersion.create({
      data: {
        organizationId: credential.organizationId,
        credentialId: credential.id,
        number: await nextNumber(tx, credential.id),
        state: 'CURRENT',
        fingerprints: Object.fromEntries(held.map((row) => [row.field, row.fingerprint])),
        createdAt: at,
      },
      select: { id: true, organizationId: true },
    }));
  const values = { ...(await openSealedRows(tx, keyring, owner, held)), ...replacedPublic };
  for (const [field, value] of Object.entries(values)) await writeSecret(tx, keyring, versionOwner(current), field, value);
  await tx.secretVersion.update({ where: { id: current.id }, data: { state: 'PREVIOUS', currentUntil: at, destroyAfter: new Date(at.getTime() + rollbackDays * 86_400_000) } });
}

/**
 * Makes `secrets` the credential's current values (fields not given keep theirs). The values they
 * replace become the PREVIOUS version, restorable until `rollbackDays` have passed; the version
 * before that is destroyed. `promote` turns that pending version into the new
 * current one; otherwise a new version is numbered. No secrets given: nothing changes.
 */
export async function installSecrets(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  {
    credential,
    secrets,
    expiresAt,
    promote,
    attribution,
    replacedPublic = {},
    fresh = false,
  }: {
    credential: CredentialRef;
    secrets: Record<string, string>;
    expiresAt?: Date | null;
    promote?: string;
    attribution: Attribution;
    /** Public values this change replaces in the credential's config (its certificate), kept with the previous version. */
    replacedPublic?: Record<string, string>;
    /** The credential was created in this transaction: it holds nothing, and this is its version 1. */
    fresh?: boolean;
  },
): Promise<{ number: number } | null> {
  if (Object.keys(secrets).length === 0) return null;
  const { at } = attribution;
  const owner = credentialOwner(credential);
  const version = (number: number, fingerprints: Record<string, string>) =>
    tx.secretVersion.create({
      data: {
        organizationId: credential.organizationId,
        credentialId: credential.id,
        number,
        state: 'CURRENT',
        fingerprints,
        expiresAt: expiresAt ?? null,
        setBy: attribution.setBy,
        approvedBy: attribution.approvedBy ?? null,
        createdAt: at,
        currentFrom: at,
      },
      select: { number: true },
    });
  if (fresh) return version(1, await writeNewSecrets(tx, keyring, owner, secrets));
  await keepAsPrevious(tx, keyring, { credential, at, replacedPublic });
  for (const [field, value] of Object.entries(secrets)) await writeSecret(tx, keyring, owner, field, value);
  const fingerprints = await currentFingerprints(tx, credential);
  if (promote) {
    const row = await tx.secretVersion.update({ where: { id: promote }, data: { state: 'CURRENT', currentFrom: at, fingerprints }, select: { number: true } });
    return row;
  }
  return version(await nextNumber(tx, credential.id), fingerprints);
}

/** Seals `secrets` as the credential's pending version, replacing a pending one not yet promoted. */
export async function stageSecrets(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { credential, secrets, expiresAt, attribution }: { credential: CredentialRef; secrets: Record<string, string>; expiresAt?: Date | null; attribution: Attribution },
): Promise<{ number: number }> {
  await retire(tx, { credentialId: credential.id, state: 'PENDING' }, 'replaced by another pending version', attribution.at);
  const version = await tx.secretVersion.create({
    data: {
      organizationId: credential.organizationId,
      credentialId: credential.id,
      number: await nextNumber(tx, credential.id),
      state: 'PENDING',
      expiresAt: expiresAt ?? null,
      setBy: attribution.setBy,
      approvedBy: attribution.approvedBy ?? null,
      createdAt: attribution.at,
    },
    select: { id: true, organizationId: true, number: true },
  });
  const fingerprints: Record<string, string> = {};
  for (const [field, value] of Object.entries(secrets)) fingerprints[field] = (await writeSecret(tx, keyring, versionOwner(version), field, value)).fingerprint;
  await tx.secretVersion.update({ where: { id: version.id }, data: { fingerprints } });
  return { number: version.number };
}

/** The pending version's values (the fields it replaces), opened for a test or a promotion. */
export async function openPendingSecrets(tx: Prisma.TransactionClient, keyring: Keyring, version: { id: string; organizationId: string }, fields: readonly string[]) {
  return readSecrets(tx, keyring, versionOwner(version), fields);
}

/**
 * Public fields a version may carry beside its secrets: a renewed certificate belongs to its key. They
 * are sealed in the version like the rest, and live in the credential's config while it is current.
 */
export const PUBLIC_VERSION_FIELDS = ['certificate'] as const;

const splitPublic = (values: Record<string, string>) => {
  const secrets: Record<string, string> = {};
  const publicValues: Record<string, string> = {};
  for (const [field, value] of Object.entries(values)) ((PUBLIC_VERSION_FIELDS as readonly string[]).includes(field) ? publicValues : secrets)[field] = value;
  return { secrets, publicValues };
};

/**
 * Pending → current; the version it replaces becomes previous (with the public values it replaces,
 * `current`). Returns the public values to put in the config; null if there is no pending version.
 */
export async function promotePending(tx: Prisma.TransactionClient, keyring: Keyring, { credential, at, current = {} }: { credential: CredentialRef; at: Date; current?: Record<string, string | undefined> }) {
  const pending = await tx.secretVersion.findFirst({ where: { credentialId: credential.id, state: 'PENDING' }, select: { id: true, organizationId: true, number: true, expiresAt: true, fingerprints: true } });
  if (!pending) return null;
  const fields = Object.keys(pending.fingerprints as Record<string, string>);
  const { secrets, publicValues } = splitPublic(await openPendingSecrets(tx, keyring, pending, fields));
  const replacedPublic = Object.fromEntries(Object.keys(publicValues).flatMap((field) => (current[field] ? [[field, current[field]!]] : [])));
  await deleteSecrets(tx, versionOwner(pending));
  await installSecrets(tx, keyring, { credential, secrets, promote: pending.id, attribution: { at, setBy: null }, replacedPublic });
  return { number: pending.number, expiresAt: pending.expiresAt, publicValues };
}

/**
 * The previous version becomes current again, exactly as it was; the one it replaces is kept as the
 * previous version for the rollback window, so a rollback can be undone the same way (public values
 * it replaces, `current`, are kept with it). Null if none is restorable.
 */
export async function rollBack(tx: Prisma.TransactionClient, keyring: Keyring, { credential, at, current = {} }: { credential: CredentialRef; at: Date; current?: Record<string, string | undefined> }) {
  const previous = await tx.secretVersion.findFirst({
    where: { credentialId: credential.id, state: 'PREVIOUS', destroyAfter: { gt: at } },
    select: { id: true, organizationId: true, number: true, expiresAt: true, fingerprints: true },
  });
  if (!previous) return null;
  const owner = credentialOwner(credential);
  const fields = Object.keys(previous.fingerprints as Record<string, string>);
  const { secrets: values, publicValues } = splitPublic(await readSecrets(tx, keyring, versionOwner(previous), fields));
  const replacedPublic = Object.fromEntries(Object.keys(publicValues).flatMap((field) => (current[field] ? [[field, current[field]!]] : [])));
  await deleteSecrets(tx, versionOwner(previous));
  await keepAsPrevious(tx, keyring, { credential, at, replacedPublic, keep: previous.id });
  await deleteSecrets(tx, owner);
  for (const [field, value] of Object.entries(values)) await writeSecret(tx, keyring, owner, field, value);
  await tx.secretVersion.update({ where: { id: previous.id }, data: { state: 'CURRENT', currentFrom: at, currentUntil: null, destroyAfter: null } });
  return { number: previous.number, expiresAt: previous.expiresAt, publicValues };
}

/** Throws the pending version away. */
export const discardPending = (tx: Prisma.TransactionClient, { credential, at }: { credential: CredentialRef; at: Date }) =>
  retire(tx, { credentialId: credential.id, state: 'PENDING' }, 'discarded', at);

/** Destroys every version's values (revocation): only the record of them stays. */
export const retireAllVersions = (tx: Prisma.TransactionClient, { credential, at }: { credential: CredentialRef; at: Date }) =>
  retire(tx, { credentialId: credential.id, state: { not: 'RETIRED' } }, 'revoked', at);

/** Previous versions whose rollback window has ended, for housekeeping to destroy. */
export const destroyLapsedVersions = (tx: Prisma.TransactionClient, at: Date) => retire(tx, { state: 'PREVIOUS', destroyAfter: { lt: at } }, 'rollback window ended', at);
