import 'server-only';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@/prisma/generated/client';

/** How long a lease holds: a crashed holder's lease lapses after this. */
const LEASE_SECONDS = 30;
const PROCESS_ID = randomUUID();

const inflight = new Map<string, Promise<unknown>>();

/** In this process: callers for the same key share the one promise that is running. */
export function sharedFlight<T>(key: string, work: () => Promise<T>): Promise<T> {
  let flight = inflight.get(key) as Promise<T> | undefined;
  if (!flight) {
    flight = work().finally(() => inflight.delete(key));
    inflight.set(key, flight);
  }
  return flight;
}

/**
 * Across processes: takes the credential's token lease (a row in TokenGrant with owner and
 * expiry) if nobody holds it or the holder's lease has lapsed.
 */
export async function tryLease(prisma: PrismaClient, credentialId: string): Promise<boolean> {
  await prisma.$executeRaw`INSERT INTO "TokenGrant" ("credentialId", "updatedAt") VALUES (${credentialId}::uuid, now()) ON CONFLICT DO NOTHING`;
  const taken = await prisma.$executeRaw`
    UPDATE "TokenGrant" SET "leaseOwner" = ${PROCESS_ID}, "leaseUntil" = now() + make_interval(secs => ${LEASE_SECONDS})
     WHERE "credentialId" = ${credentialId}::uuid AND ("leaseUntil" IS NULL OR "leaseUntil" < now())`;
  return taken === 1;
}

/** Gives the lease back, if this process still holds it. */
export async function releaseLease(prisma: PrismaClient, credentialId: string): Promise<void> {
  await prisma.tokenGrant.updateMany({ where: { credentialId, leaseOwner: PROCESS_ID }, data: { leaseOwner: null, leaseUntil: null } });
}

/** Resolves once no flight of this process is running (background refreshes included): for tests and the bench. */
export async function flightsSettled(): Promise<void> {
  while (inflight.size > 0) await Promise.allSettled([...inflight.values()]);
}
