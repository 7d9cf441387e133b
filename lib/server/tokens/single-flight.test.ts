import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { flightsSettled } from '@/lib/server/tokens/single-flight';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { openTestDatabase } from '@/lib/server/test-support/test-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { createOAuthCredential } from '@/lib/server/test-support/oauth-credential';
import { json, startFaultServer } from '@/lib/server/test-support/test-servers';

function worker(env: Record<string, string>): Promise<{ tokens: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'lib/server/test-support/single-flight.worker.ts'], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as { tokens: string[] }) : reject(new Error(err))));
  });
}

describe.runIf(process.env.TEST_DATABASE_URL)('single flight across processes (PostgreSQL)', () => {
  it('3 processes × 100 concurrent requests for an expired token reach the token endpoint once', async () => {
    const db = await openTestDatabase('postgres');
    const kek = randomBytes(32);
    let calls = 0;
    // A slow token endpoint widens the window in which the others must wait rather than call.
    const server = await startFaultServer((_, __, res) => {
      calls++;
      setTimeout(() => json(res, 200, { access_token: `token-${calls}`, token_type: 'Bearer', expires_in: 600 }), 500);
    });
    try {
      await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
      const { id } = await createOAuthCredential({ prisma: db.prisma, keyring: makeKeyring(kek) }, `${server.url}/token`);
      // An expired token is in the cache.
      await db.prisma.tokenGrant.create({ data: { credentialId: id, obtainedAt: new Date(Date.now() - 3_600_000), expiresAt: new Date(Date.now() - 1_000) } });

      const env = { WORKER_DATABASE_URL: db.url!, WORKER_KEK: kek.toString('base64'), WORKER_CREDENTIAL_ID: id, WORKER_COUNT: '100' };
      const results = await Promise.all([worker(env), worker(env), worker(env)]);
      expect(calls).toBe(1);
      expect(results.map((r) => r.tokens)).toEqual([['token-1'], ['token-1'], ['token-1']]);
    } finally {
      await server.close();
      await db.close();
    }
  }, 120_000);

  it('a token past its refresh point is served at once by a process while another process holds the refresh lease', async () => {
    const db = await openTestDatabase('postgres');
    const kek = randomBytes(32);
    const services = { prisma: db.prisma, keyring: makeKeyring(kek) };
    let hold: (() => void) | undefined;
    const answer = () => {
      const release = hold;
      hold = undefined;
      release?.();
    };
    // The first call gets a token; the refresh after it hangs until the test lets it answer.
    const server = await startFaultServer((_, __, res) => {
      if (server.calls() === 1) return json(res, 200, { access_token: 'still-valid', token_type: 'Bearer', expires_in: 30 });
      hold = () => json(res, 200, { access_token: 'renewed', token_type: 'Bearer', expires_in: 600 });
    });
    try {
      await seedDemo(db.prisma, { demoPassword: 'unused-here-123' });
      const { id } = await createOAuthCredential(services, `${server.url}/token`);
      const policy = { allowLoopback: true, allowPrivate: false, timeoutMs: 60_000, maxBytes: 65_536 };
      const ask = () => getAccessToken(services, { credentialId: id, credentialVersion: -1, actor: { type: 'SYSTEM' }, policy });
      expect(await ask()).toMatchObject({ ok: true, data: { accessToken: 'still-valid' } });
      // Issued 60 s ago, 30 s left: past its refresh point (half of 90 s), well before its safety margin.
      await db.prisma.tokenGrant.update({ where: { credentialId: id }, data: { obtainedAt: new Date(Date.now() - 60_000) } });
      // This process serves it and starts the refresh, which takes the lease and hangs at the provider.
      expect(await ask()).toMatchObject({ ok: true, data: { accessToken: 'still-valid' } });
      while (server.calls() < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await db.prisma.tokenGrant.findUniqueOrThrow({ where: { credentialId: id } })).toMatchObject({ leaseOwner: expect.any(String) });

      // Another process: 20 callers, all served the valid token while the lease is held elsewhere.
      const env = { WORKER_DATABASE_URL: db.url!, WORKER_KEK: kek.toString('base64'), WORKER_CREDENTIAL_ID: id, WORKER_COUNT: '20' };
      expect(await worker(env)).toEqual({ tokens: ['still-valid'] });
      expect(server.calls()).toBe(2); // it did not call the provider, and it finished while the refresh still hangs
      answer();
      await flightsSettled();
      expect(await ask()).toMatchObject({ ok: true, data: { accessToken: 'renewed' } });
    } finally {
      answer();
      await server.close();
      await db.close();
    }
  }, 120_000);
});
