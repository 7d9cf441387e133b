import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { exportAuditLog } from '@/lib/server/audit/export-audit-log';
import { hashAuditEvent } from '@/lib/server/audit/hash-audit-event';
import { verifyAuditExport } from '@/lib/server/audit/verify-audit-export';
import { currentAuditSigningKey, publicKeyId, trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

describe('an exported audit log, verified offline', () => {
  let db: Database;
  const keyring = makeKeyring(randomBytes(32));
  let publicKeys = new Map<string, KeyObject>();
  const [org, otherOrg] = [randomUUID(), randomUUID()];
  let text = '';
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-audit-'));
  const pem = join(dir, 'strongroom-audit.pem');

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    for (const [i, organizationId] of [org, otherOrg, org, org, otherOrg].entries()) {
      await db.prisma.$transaction((tx) =>
        appendAuditEvent(tx, { actor: { type: 'USER', label: 'ünïcode “admin”' }, action: `step-${i}`, outcome: 'SUCCESS', organizationId, details: { fields: ['clientSecret', 'zeta'], n: i, ok: i % 2 === 0, note: 'line\nbreak \u2028 "quoted"' } }),
      );
    }
    for await (const chunk of exportAuditLog(db.prisma, keyring, { organizationId: org })) text += chunk;
    publicKeys = await trustedAuditKeys(db.prisma, keyring);
    writeFileSync(pem, (await currentAuditSigningKey(db.prisma, keyring)).publicKey.export({ format: 'pem', type: 'spki' }));
  });
  afterAll(async () => db.close());

  const edited = (change: (log: { checkpoints: { seq: string }[]; events: { seq: string; action: string }[] }) => void) => {
    const log = JSON.parse(text);
    change(log);
    return JSON.stringify(log);
  };

  it('verifies as exported, with the checkpoint signed at export', async () => {
    expect(await verifyAuditExport(text, { publicKeys, expectedChain: org })).toMatchObject({ ok: true, events: 3, checkpoints: 1, legacyEvents: 0 });
  });

  it.each([
    ['an edited event', (log: { events: { action: string }[] }) => (log.events[1]!.action = 'nothing to see')],
    ['a removed event', (log: { events: unknown[] }) => log.events.splice(1, 1)],
    ['reordered events', (log: { events: unknown[] }) => log.events.reverse()],
    ['a removed tail', (log: { events: unknown[] }) => log.events.pop()],
    ['a forged checkpoint', (log: { checkpoints: { signature: string }[] }) => (log.checkpoints[0]!.signature = Buffer.alloc(64, 1).toString('base64'))],
  ])('reports %s', async (_, change) => {
    const report = await verifyAuditExport(edited(change as never), { publicKeys });
    expect(report).toMatchObject({ ok: false, brokenAt: expect.any(BigInt) });
  });

  it.each([
    ['its checkpoints dropped and its tail removed', (log: { checkpoints: unknown[]; events: unknown[] }) => ((log.checkpoints = []), log.events.pop())],
    ['its checkpoints dropped and an event edited and re-hashed', (log: { checkpoints: unknown[]; events: Record<string, unknown>[] }) => {
      log.checkpoints = [];
      log.events[1]!.action = 'nothing to see';
      let prev = log.events[0]!.hash as string;
      for (const event of log.events.slice(1)) {
        event.prevHash = prev;
        event.hash = prev = hashAuditEvent(prev, { ...(event as object), at: new Date(event.at as string) } as never);
      }
    }],
    ['events added after its signed head', (log: { events: Record<string, unknown>[] }) => {
      const last = log.events.at(-1)!;
      log.events.push({ ...last, seq: String(BigInt(last.seq as string) + 1n), number: String(BigInt(last.number as string) + 1n), action: 'added later', prevHash: last.hash, hash: hashAuditEvent(last.hash as string, { ...(last as object), at: new Date(last.at as string), action: "added later" } as never) });
    }],
  ])('refuses an export with %s: it must end at a signed checkpoint of its own', async (_, change) => {
    expect(await verifyAuditExport(edited(change as never), { publicKeys })).toMatchObject({ ok: false, reason: expect.stringMatching(/no signed checkpoint of its last event/) });
  });

  it('with the checkpoints of an export the auditor kept, a later file cut back to an older head is caught', async () => {
    await db.prisma.$transaction((tx) => appendAuditEvent(tx, { actor: { type: 'SYSTEM', label: 'test' }, action: 'later', outcome: 'SUCCESS', organizationId: org }));
    let later = '';
    for await (const chunk of exportAuditLog(db.prisma, keyring, { organizationId: org })) later += chunk;
    expect(await verifyAuditExport(later, { publicKeys, earlierExports: [text] })).toMatchObject({ ok: true, events: 4, checkpoints: 2, earlierCheckpoints: 1 });
    // Alone, the older file is intact (it ends at its own signed head); against the later one the auditor holds, it is not.
    expect(await verifyAuditExport(text, { publicKeys })).toMatchObject({ ok: true, events: 3 });
    expect(await verifyAuditExport(text, { publicKeys, earlierExports: [later] })).toMatchObject({ ok: false, reason: expect.stringMatching(/events after #\d+ were removed/) });
    await expect(verifyAuditExport(text, { publicKeys, earlierExports: ['{}'] })).rejects.toThrow(/Earlier export 1 is not a Strongroom audit export/);
  });

  it('refuses an export of another organization, and a file that is not an export, with a clear message', async () => {
    await expect(verifyAuditExport(text, { publicKeys, expectedChain: otherOrg })).rejects.toThrow(`not of ${otherOrg}`);
    await expect(verifyAuditExport('{"events": []}', { publicKeys })).rejects.toThrow(/not a Strongroom audit export/);
    await expect(verifyAuditExport('not json', { publicKeys })).rejects.toThrow(/not JSON/);
    const { publicKey } = generateKeyPairSync('ed25519');
    const otherKeys = new Map([[publicKeyId(publicKey), publicKey]]);
    expect(await verifyAuditExport(text, { publicKeys: otherKeys })).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed by a known key/) });
  });

  it("the README's independent verifier agrees, and exits 1 on a break", () => {
    const readme = readFileSync('README.md', 'utf8');
    const script = readme.split('<!-- audit-export-verifier -->\n```js\n')[1]!.split('\n```')[0]!;
    writeFileSync(join(dir, 'verify.mjs'), script);
    writeFileSync(join(dir, 'export.json'), text);
    expect(execFileSync(process.execPath, [join(dir, 'verify.mjs'), join(dir, 'export.json'), pem], { encoding: 'utf8' })).toBe('intact: 3 events, 1 checkpoints\n');
    const run = (file: string) => {
      try {
        return { status: 0, stdout: execFileSync(process.execPath, [join(dir, 'verify.mjs'), join(dir, file), pem], { encoding: 'utf8' }) };
      } catch (error) {
        return error as { status: number; stdout: string };
      }
    };
    writeFileSync(join(dir, 'middle.json'), edited((log) => log.events.splice(1, 1)));
    expect(run('middle.json')).toMatchObject({ status: 1, stdout: expect.stringMatching(/^BROKEN: event #\d+ does not link/) });
    writeFileSync(join(dir, 'unsigned.json'), edited((log) => ((log.checkpoints = []), log.events.pop())));
    expect(run('unsigned.json')).toMatchObject({ status: 1, stdout: expect.stringMatching(/^BROKEN: no signed checkpoint of the last event/) });
    // Numbers are not hashed, but they run 1, 2, 3 …: a renumbered event shows, here and in the app's verifier.
    const renumbered = edited((log) => ((log.events[1] as { number?: string }).number = '5'));
    writeFileSync(join(dir, 'renumbered.json'), renumbered);
    expect(run('renumbered.json')).toMatchObject({ status: 1, stdout: expect.stringMatching(/^BROKEN: event #\d+ is numbered 5, not 2/) });
    return expect(verifyAuditExport(renumbered, { publicKeys })).resolves.toMatchObject({ ok: false, reason: 'it is numbered 5, not 2 (renumbered)' });
  });
});
