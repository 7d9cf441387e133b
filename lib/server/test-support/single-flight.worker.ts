import 'server-only';
// A separate process for the cross-process single-flight test: asks for one credential's token
// COUNT times at once, through the same code the app uses, and prints what it got.
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { openDatabase } from '@/lib/server/db/open-database';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';

const { WORKER_DATABASE_URL, WORKER_KEK, WORKER_CREDENTIAL_ID, WORKER_COUNT } = process.env;
const db = await openDatabase({ kind: 'postgres', url: WORKER_DATABASE_URL! });
const services = { prisma: db.prisma, keyring: makeKeyring(Buffer.from(WORKER_KEK!, 'base64')) };
const policy = { allowLoopback: true, allowPrivate: false, timeoutMs: 5_000, maxBytes: 65_536 };
const results = await Promise.all(
  Array.from({ length: Number(WORKER_COUNT) }, () => getAccessToken(services, { credentialId: WORKER_CREDENTIAL_ID!, actor: { type: 'SYSTEM' }, policy })),
);
process.stdout.write(`${JSON.stringify({ tokens: [...new Set(results.map((r) => (r.ok ? r.data.accessToken : `error:${r.error.message}`)))] })}\n`);
await db.close();
