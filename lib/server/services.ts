import 'server-only';
import { openPrincipalCache, type PrincipalCache } from '@/lib/server/api/principal-cache';
import { forgetOpened } from '@/lib/server/credentials/opened-memory';
import { keyring, type Keyring } from '@/lib/server/crypto/keyring';
import { databaseLocation, openDatabase, type Database } from '@/lib/server/db/open-database';
import type { PrismaClient } from '@/prisma/generated/client';

/**
 * What every operation is handed as its first argument: the database and the keys. Operations never
 * reach for the process's instances themselves, so a test hands them its own.
 */
export interface Services {
  prisma: PrismaClient;
  keyring: Keyring;
}

// The composition root: the one place that builds the process's instances. Pages, actions, route
// handlers, auth and the server start get them here.

// One database per process, shared by every bundle Next builds (instrumentation, routes, pages):
// a second PGlite on the same directory would corrupt it.
const holder = globalThis as typeof globalThis & { strongroomDatabase?: Promise<Database>; strongroomPrincipals?: Promise<PrincipalCache> };

/** The process's database, opened on first use (migrating and seeding are the bootstrap's, not this). */
export function database(): Promise<Database> {
  holder.strongroomDatabase ??= openDatabase(databaseLocation());
  return holder.strongroomDatabase;
}

/** The process's services. */
export async function services(): Promise<Services> {
  return { prisma: (await database()).prisma, keyring: keyring() };
}

/**
 * The process's memory of service accounts and credentials for the service API (principal-cache.ts).
 * A credential's change heard of also drops what was opened from it (opened-memory.ts).
 */
export function principals(): Promise<PrincipalCache> {
  const onChange = (payload: string) => {
    const [table, id] = payload.split(':');
    if (table === 'Credential') forgetOpened(id);
    else if (table !== 'ServiceAccount' && table !== 'LegalEntity') forgetOpened();
  };
  holder.strongroomPrincipals ??= database().then((db) => openPrincipalCache(db, { onChange }));
  return holder.strongroomPrincipals;
}
