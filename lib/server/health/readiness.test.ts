import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setClock } from '@/lib/server/clock';
import { KEY_HEALTH_TTL_MS } from '@/lib/server/crypto/key-health';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { openVaultTransitKek } from '@/lib/server/crypto/vault-transit-kek';
import { openDatabase } from '@/lib/server/db/open-database';
import { probeReadiness, readiness, READINESS_TTL_MS, type Readiness } from '@/lib/server/health/readiness';
import { schedulerTicking, startScheduler } from '@/lib/server/jobs/scheduler';
import { readinessProbes } from '@/lib/server/metrics/metrics';
import { startFakeVault } from '@/lib/server/test-support/fake-key-services';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

let now = Date.parse('2026-12-06T08:00:00Z');
const restoreClock = setClock(() => now);
afterAll(() => restoreClock());

/** A loopback TCP relay to PostgreSQL that can be stopped and started again on the same port: a database that goes away. */
async function relay(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => {});
          socket.on('close', () => (sockets.delete(socket), client.destroy(), upstream.destroy()));
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => ((port = (server!.address() as { port: number }).port), resolve()));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server!.close(() => resolve());
    });
  await start();
  return { port: () => port, start, stop };
}

describe('readiness', () => {
  afterEach(() => void (now += 60_000)); // no cached answer crosses tests

  it('is ready with the database, its migrations, a usable key and a ticking scheduler; says which is missing otherwise', async () => {
    const db = await openTestDatabase('pglite');
    try {
      const keyring = makeKeyring(randomBytes(32));
      expect(await probeReadiness({ db: async () => db, keyring: () => keyring, ticking: true })).toEqual({
        ready: true,
        notReady: [],
        db: 'up',
        migrations: 'current',
        keys: 'usable',
        scheduler: 'ticking',
      } satisfies Readiness);
      expect(await probeReadiness({ db: async () => db, keyring: () => keyring, ticking: false })).toMatchObject({ ready: false, notReady: ['scheduler'] });
      const fresh = await openTestDatabase('pglite', { migrate: false });
      try {
        expect(await probeReadiness({ db: async () => fresh, keyring: () => keyring, ticking: true })).toMatchObject({ ready: false, notReady: ['migrations'], migrations: 'pending' });
      } finally {
        await fresh.close();
      }
      expect(await probeReadiness({ db: () => Promise.reject(new Error('cannot open')), keyring: () => keyring, ticking: true })).toMatchObject({ ready: false, notReady: ['database'], db: 'down' });
    } finally {
      await db.close();
    }
  });

  it('is not ready while the key provider fails, and ready again once it answers (after the key check’s reuse time)', async () => {
    const vault = await startFakeVault();
    const db = await openTestDatabase('pglite');
    try {
      const keyring = makeKeyring(openVaultTransitKek({ address: vault.url, mount: 'transit', keyName: 'strongroom', login: { token: 'hvs.test-root-token' }, timeoutMs: 300 }));
      const probe = () => probeReadiness({ db: async () => db, keyring: () => keyring, ticking: true });
      vault.mode = 'error';
      expect(await probe()).toMatchObject({ ready: false, notReady: ['keys'], keys: 'unavailable' });
      vault.mode = 'ok';
      now += KEY_HEALTH_TTL_MS;
      expect(await probe()).toMatchObject({ ready: true, keys: 'usable' });
    } finally {
      await db.close();
      await vault.close();
    }
  });

  it('sees the scheduler tick, and stop ticking when it is stopped or stalls past two intervals', async () => {
    const db = await openTestDatabase('pglite');
    try {
      expect(schedulerTicking().ticking).toBe(false);
      const stop = startScheduler({ prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) }, [], { tickMs: 30_000 });
      expect(schedulerTicking()).toEqual({ ticking: true, lastTickAt: new Date(now) });
      now += 60_000; // two intervals without a tick (the timer is real time, the clock is not)
      expect(schedulerTicking().ticking).toBe(true);
      now += 1;
      expect(schedulerTicking().ticking).toBe(false);
      stop();
      expect(schedulerTicking()).toEqual({ ticking: false, lastTickAt: null });
    } finally {
      await db.close();
    }
  });

  it('answers many probes with one check per second, and counts the checks in the metrics', async () => {
    let probes = 0;
    const probe = async (): Promise<Readiness> => (probes++, { ready: true, notReady: [], db: 'up', migrations: 'current', keys: 'usable', scheduler: 'ticking' });
    const counted = async () => (await readinessProbes.get()).values[0]?.value ?? 0;
    const before = await counted();
    await Promise.all(Array.from({ length: 100 }, () => readiness(probe)));
    expect(probes).toBe(1);
    expect(await counted()).toBe(before + 1);
    now += READINESS_TTL_MS - 1;
    await readiness(probe);
    expect(probes).toBe(1);
    now += 1;
    await readiness(probe);
    expect(probes).toBe(2);
    expect(await counted()).toBe(before + 2);
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))('is not ready while PostgreSQL is unreachable, and ready again when it is back', async () => {
    const test = await openTestDatabase('postgres');
    const gap = await relay(new URL(test.url!));
    const path = new URL(test.url!);
    path.host = `127.0.0.1:${gap.port()}`;
    const db = await openDatabase({ kind: 'postgres', url: path.toString() });
    const keyring = makeKeyring(randomBytes(32));
    const probe = () => probeReadiness({ db: async () => db, keyring: () => keyring, ticking: true });
    try {
      expect(await probe()).toMatchObject({ ready: true });
      await gap.stop();
      expect(await probe()).toMatchObject({ ready: false, notReady: ['database'], db: 'down' });
      await gap.start();
      expect(await probe()).toMatchObject({ ready: true, db: 'up' });
    } finally {
      await db.close();
      await gap.stop();
      await test.close();
    }
  }, 60_000);
});
