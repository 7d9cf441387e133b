import 'server-only';
import { z } from 'zod';
import { nowMs } from '@/lib/server/clock';
import type { Database } from '@/lib/server/db/open-database';
import { hashApiKey } from '@/lib/server/service-accounts/api-key-hash';
import type { PrismaClient } from '@/prisma/generated/client';

export interface ServiceAccountPrincipal {
  id: string;
  name: string;
  organizationId: string;
  scopes: string[];
  legalEntityIds: string[];
}

/** What the service API needs to know of a credential before serving it. */
export interface CredentialFacts {
  id: string;
  organizationId: string;
  legalEntityId: string;
  /** Its kind (credential-profiles.ts), which never changes. */
  profile: string;
  version: number;
  entityArchived: boolean;
  /** Marked EXPIRED by the expiry watch. */
  markedExpired: boolean;
  expiresAt: Date | null;
}

export interface Principal {
  account: ServiceAccountPrincipal | null;
  credential: CredentialFacts | null;
}

/** How often each process asks whether it missed a change (see the migration principal_notify). */
export const CHECK_EVERY_MS = 5_000;
export const CHANNEL = 'strongroom_principals';
const KEY_SHAPE = /^sr_[A-Za-z0-9_-]{43}$/;
/** Built once: a schema costs more to build than to check with, and this is checked on every request. */
const UUID = z.uuid();
const NOBODY: Principal = { account: null, credential: null };

/**
 * The service account of a key and, when asked, a credential, straight from the database: one round
 * trip (the two indexed reads joined). Revoked keys and revoked or deleted credentials are not found.
 */
export async function findPrincipal(prisma: PrismaClient, key: string, credentialId?: string): Promise<Principal> {
  if (!KEY_SHAPE.test(key)) return NOBODY;
  const wanted = credentialId && UUID.safeParse(credentialId).success ? credentialId : null;
  const [row] = await prisma.$queryRaw<(ServiceAccountPrincipal & Record<'credentialId' | 'credentialOrganizationId' | 'legalEntityId' | 'profile' | 'status', string | null> & { version: number | null; entityArchived: boolean | null; expiresAt: Date | null })[]>`
    SELECT sa.id::text, sa.name, sa."organizationId"::text, sa.scopes, sa."legalEntityIds",
           c.id::text AS "credentialId", c."organizationId"::text AS "credentialOrganizationId", c."legalEntityId"::text AS "legalEntityId", c.profile, c.version,
           le."archivedAt" IS NOT NULL AS "entityArchived", c.status::text AS status, c."expiresAt"
      FROM "ServiceAccount" sa
      LEFT JOIN "Credential" c ON c.id = ${wanted}::uuid AND c."deletedAt" IS NULL AND c.status <> 'REVOKED'
      LEFT JOIN "LegalEntity" le ON le.id = c."legalEntityId"
     WHERE sa."keyHash" = ${hashApiKey(key)} AND sa."revokedAt" IS NULL`;
  if (!row) return NOBODY;
  const { credentialId: id, credentialOrganizationId, legalEntityId, profile, version, entityArchived, status, expiresAt, ...account } = row;
  return {
    account,
    credential:
      id && credentialOrganizationId && legalEntityId && profile && version !== null
        ? { id, organizationId: credentialOrganizationId, legalEntityId, profile, version, entityArchived: entityArchived === true, markedExpired: status === 'EXPIRED', expiresAt }
        : null,
  };
}

/** Since when a credential counts as expired: marked so by the expiry watch (hourly), or past its date already. */
export function expiredSince(credential: CredentialFacts, now = nowMs()): Date | null {
  const { markedExpired, expiresAt } = credential;
  return markedExpired || (expiresAt && expiresAt.getTime() <= now) ? (expiresAt ?? new Date(0)) : null;
}

export interface PrincipalCache {
  /** As `findPrincipal`, from this process's memory when nothing it remembers has changed. */
  find(key: string, credentialId?: string): Promise<Principal>;
  stop(): Promise<void>;
}

/**
 * Remembers service accounts (by key hash) and credentials for the service API, so a token request
 * needs no lookup, while a revoked key or a changed credential is refused or served afresh on the
 * next request in every instance: the database announces each change as its transaction commits
 * (NOTIFY, the migration principal_notify) and every process drops what it named. A notification
 * lost while a listener reconnects is caught by the change counter, read at most every
 * `checkEveryMs`; a reconnected listener starts from nothing.
 */
export async function openPrincipalCache(
  db: Pick<Database, 'prisma' | 'listen'>,
  { checkEveryMs = CHECK_EVERY_MS, retryMs, onChange }: { checkEveryMs?: number; retryMs?: number; /** After a change heard of has been applied. */ onChange?: (payload: string) => void } = {},
): Promise<PrincipalCache> {
  const accounts = new Map<string, ServiceAccountPrincipal>();
  const credentials = new Map<string, CredentialFacts>();
  // Bumped by every change heard of: a lookup that began before it does not store what it read.
  let generation = 0;
  let changes = await readChangeCounter(db.prisma);
  let checkedAt = nowMs();
  let checking: Promise<void> | null = null;

  const forgetAll = () => {
    accounts.clear();
    credentials.clear();
    generation++;
  };
  const forget = (payload: string) => {
    generation++;
    const [table, id] = payload.split(':');
    if (table === 'ServiceAccount') {
      for (const [hash, account] of accounts) if (account.id === id) accounts.delete(hash);
    } else if (table === 'Credential') {
      credentials.delete(id!);
    } else if (table === 'LegalEntity') {
      for (const [credentialId, credential] of credentials) if (credential.legalEntityId === id) credentials.delete(credentialId);
    } else forgetAll();
    onChange?.(payload);
  };
  const unlisten = await db.listen(CHANNEL, { onMessage: forget, onConnected: forgetAll, ...(retryMs ? { retryMs } : {}) });

  /** Every `checkEveryMs` (by the clock, read on a request), whether a change was counted that was not heard. */
  const checkCounter = async () => {
    const since = nowMs() - checkedAt;
    if (since >= 0 && since < checkEveryMs) return;
    checking ??= (async () => {
      const startedAt = nowMs();
      const counted = await readChangeCounter(db.prisma);
      if (counted !== changes) forgetAll();
      changes = counted;
      checkedAt = startedAt;
    })().finally(() => (checking = null));
    await checking;
  };

  return {
    async find(key, credentialId) {
      if (!KEY_SHAPE.test(key)) return NOBODY;
      await checkCounter();
      const hash = hashApiKey(key);
      const wanted = credentialId && UUID.safeParse(credentialId).success ? credentialId : undefined;
      const account = accounts.get(hash);
      const credential = wanted ? credentials.get(wanted) : undefined;
      if (account && (!wanted || credential)) return { account, credential: credential ?? null };
      const before = generation;
      const found = await findPrincipal(db.prisma, key, wanted);
      if (generation === before && found.account) {
        accounts.set(hash, found.account);
        if (found.credential) credentials.set(found.credential.id, found.credential);
      }
      return found;
    },
    stop: unlisten,
  };
}

async function readChangeCounter(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM "principal_changes"`;
  return String(row?.n ?? 0);
}
