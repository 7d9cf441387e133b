// npm run audit:verify                     every chain in the database, with its signed checkpoints
// npm run audit:verify -- --export FILE [--public-key PEM] [--organization ID] [--checkpoints EARLIER-EXPORT …]
//                                          an export, offline, against a public key you trust; the
//                                          signed checkpoints of earlier exports you kept are checked too
// npm run audit:verify -- --checkpoint     sign a checkpoint of every chain now
// npm run audit:verify -- --public-key-out print the public key that signs checkpoints (PEM)
// Exit 1 when anything is broken or the input is not what it should be.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AuditChainReport } from '@/lib/server/audit/verify-audit-chain';
import { verifyAllAuditChains } from '@/lib/server/audit/verify-audit-chain';
import { verifyAuditExport } from '@/lib/server/audit/verify-audit-export';
import { signAllChains } from '@/lib/server/audit/write-audit-checkpoint';
import { currentAuditSigningKey, publicKeyId, trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import { keyring } from '@/lib/server/crypto/keyring';
import { databaseLocation } from '@/lib/server/db/open-database';
import { openDatabase, type Database } from '@/lib/server/db/open-database';

const { values } = parseArgs({
  options: {
    export: { type: 'string' },
    'public-key': { type: 'string' },
    organization: { type: 'string' },
    checkpoints: { type: 'string', multiple: true },
    checkpoint: { type: 'boolean' },
    'public-key-out': { type: 'boolean' },
  },
});

const describe = (report: AuditChainReport) =>
  report.ok
    ? `chain ${report.chain}: intact, ${report.events} events, ${report.checkpoints} signed checkpoints, head ${report.headHash}`
    : `chain ${report.chain}: BROKEN at event #${report.brokenAt} (after ${report.events} good events): ${report.reason}`;

/** The key given with --public-key, else every key the configured KEKs vouch for (from the database). */
async function trustedKeys(db: () => Promise<Database>): Promise<Map<string, KeyObject>> {
  if (values['public-key']) {
    let key: KeyObject | undefined;
    try {
      key = createPublicKey(readFileSync(values['public-key'], 'utf8'));
    } catch {
      key = undefined;
    }
    if (key?.asymmetricKeyType !== 'ed25519') throw new Error(`${values['public-key']} is not an Ed25519 public key in PEM (get it with npm run --silent audit:verify -- --public-key-out).`);
    return new Map([[publicKeyId(key), key]]);
  }
  return trustedAuditKeys((await db()).prisma, keyring());
}

async function main() {
  let opened: Database | undefined;
  const db = async () => (opened ??= await openDatabase(databaseLocation()));
  try {
    if (values['public-key-out']) {
      process.stdout.write((await currentAuditSigningKey((await db()).prisma, keyring())).publicKey.export({ format: 'pem', type: 'spki' }).toString());
      return;
    }
    if (values.export) {
      const report = await verifyAuditExport(readFileSync(values.export, 'utf8'), {
        publicKeys: await trustedKeys(db),
        ...(values.organization ? { expectedChain: values.organization } : {}),
        earlierExports: (values.checkpoints ?? []).map((file) => readFileSync(file, 'utf8')),
      });
      const notes = [
        report.ok && report.headSignedAt ? `its last event signed ${report.headSignedAt.toISOString()}` : '',
        report.earlierCheckpoints ? `${report.earlierCheckpoints} checkpoints of earlier exports checked` : '',
        report.legacyEvents ? `${report.legacyEvents} events from before per-organization chains: verify them with the database` : '',
      ].filter(Boolean);
      process.stdout.write(`${describe(report)}${notes.length ? ` (${notes.join('; ')})` : ''}\n`);
      if (!report.ok) process.exitCode = 1;
      return;
    }
    if (values.checkpoint) {
      await signAllChains({ prisma: (await db()).prisma, keyring: keyring() });
      process.stdout.write('Signed a checkpoint of every chain with new events.\n');
      return;
    }
    const reports = await verifyAllAuditChains((await db()).prisma, await trustedKeys(db));
    for (const report of reports) process.stdout.write(`${describe(report)}\n`);
    if (reports.some((report) => !report.ok)) process.exitCode = 1;
  } finally {
    await opened?.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
