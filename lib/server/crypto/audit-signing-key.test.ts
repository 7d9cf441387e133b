import { createPrivateKey, createPublicKey, hkdfSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { writeAuditCheckpoint } from '@/lib/server/audit/write-audit-checkpoint';
import { checkpointMessage, currentAuditSigningKey, publicKeyId, signCheckpoint, trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import { rewrapDataKeys } from '@/lib/server/crypto/rewrap-data-keys';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

/** The key checkpoints were signed with before 5 December 2026: derived from the KEK's bytes. */
const kekDerived = (kek: Buffer) => {
  const seed = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'strongroom audit checkpoint v1', 32));
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { keyId: publicKeyId(publicKey), publicKey, privateKey, seed };
};

describe.each(testDatabaseKinds())('the audit signing key on %s', (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => db.close());

  it('is its own random key, kept wrapped under the KEK; earlier KEK-derived checkpoints verify after the KEK is gone', async () => {
    const oldKek = randomBytes(32);
    const before = makeKeyring(oldKek);
    const chain = 'platform';
    await db.prisma.$transaction((tx) => appendAuditEvent(tx, { actor: { type: 'SYSTEM' }, action: 'a', outcome: 'SUCCESS' }));
    // A checkpoint as the code before this change signed it.
    const legacy = kekDerived(oldKek);
    const head = await db.prisma.auditEvent.findFirstOrThrow({ where: { chain }, orderBy: { seq: 'desc' } });
    const signedAt = new Date('2026-12-01T00:00:00.000Z');
    await db.prisma.auditCheckpoint.create({ data: { chain, seq: head.seq, hash: head.hash, signedAt, keyId: legacy.keyId, signature: signCheckpoint(legacy, checkpointMessage({ chain, seq: head.seq, hash: head.hash, signedAt })) } });

    const key = await currentAuditSigningKey(db.prisma, before);
    expect(key.keyId).not.toBe(legacy.keyId);
    const rows = await db.prisma.auditSigningKey.findMany({ orderBy: { createdAt: 'asc' } });
    expect(rows.map((row) => [row.id, row.retiredAt === null])).toEqual(expect.arrayContaining([[legacy.keyId, false], [key.keyId, true]]));
    // Neither seed is in the database in clear.
    const seed = key.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
    for (const row of rows) for (const secret of [seed, legacy.seed]) expect(row.wrappedKey).not.toContain(secret.toString('base64url'));
    expect((await currentAuditSigningKey(db.prisma, before)).keyId).toBe(key.keyId); // kept, not made again

    await db.prisma.$transaction((tx) => appendAuditEvent(tx, { actor: { type: 'SYSTEM' }, action: 'b', outcome: 'SUCCESS' }));
    await writeAuditCheckpoint(db.prisma, before, { chain });
    expect(await verifyAuditChain(db.prisma, { chain, publicKeys: await trustedAuditKeys(db.prisma, before) })).toMatchObject({ ok: true, checkpoints: 2 });

    // The KEK rotates and the old one is removed: both checkpoints still verify, and signing goes on.
    const after = makeKeyring(randomBytes(32), [oldKek]);
    expect(await rewrapDataKeys(db.prisma, after)).toBe(2);
    const onlyNew = makeKeyring(after.current.bytes!);
    expect((await currentAuditSigningKey(db.prisma, onlyNew)).keyId).toBe(key.keyId);
    expect(await verifyAuditChain(db.prisma, { chain, publicKeys: await trustedAuditKeys(db.prisma, onlyNew) })).toMatchObject({ ok: true, checkpoints: 2 });

    // A key row written by someone without the KEK is not trusted, and a stored key another KEK wraps does not sign.
    const forged = makeKeyring(randomBytes(32));
    await db.prisma.auditSigningKey.updateMany({ data: { retiredAt: new Date() } });
    const theirs = await currentAuditSigningKey(db.prisma, forged);
    expect((await trustedAuditKeys(db.prisma, onlyNew)).has(theirs.keyId)).toBe(false);
    await expect(currentAuditSigningKey(db.prisma, onlyNew)).rejects.toThrow(/cannot be opened with the configured key-encryption keys/);
  });
});
