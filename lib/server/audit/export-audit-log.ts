import 'server-only';
import { now } from '@/lib/server/clock';
import { auditChainOf } from '@/lib/server/audit/append-audit-event';
import { writeAuditCheckpoint } from '@/lib/server/audit/write-audit-checkpoint';
import { trustedAuditKeys } from '@/lib/server/crypto/audit-signing-key';
import type { Keyring } from '@/lib/server/crypto/keyring';
import type { PrismaClient } from '@/prisma/generated/client';

/** Version tag of the JSON export (format in README "Audit trail"). */
export const AUDIT_EXPORT_FORMAT = 'strongroom-audit-export/1';

/**
 * Everything an auditor needs to verify an organization's log without Strongroom, as JSON text in
 * chunks: a checkpoint of the chain's head signed now, the public keys, the chain's checkpoints and
 * every event up to that head with every field its hash covers, in chain order. Events written while
 * the export runs come after the signed head and wait for the next export, so the file always ends
 * at a signed checkpoint (the verifier refuses one that does not).
 */
export async function* exportAuditLog(prisma: PrismaClient, keyring: Keyring, { organizationId }: { organizationId: string }): AsyncGenerator<string> {
  const chain = auditChainOf(organizationId);
  const headSeq = await writeAuditCheckpoint(prisma, keyring, { chain });
  const checkpoints = await prisma.auditCheckpoint.findMany({ where: { chain }, orderBy: { seq: 'asc' }, select: { seq: true, hash: true, signedAt: true, keyId: true, signature: true } });
  const publicKeys = [...(await trustedAuditKeys(prisma, keyring))].map(([keyId, key]) => ({ keyId, pem: key.export({ format: 'pem', type: 'spki' }).toString() }));
  const header = { format: AUDIT_EXPORT_FORMAT, chain, organizationId, exportedAt: now().toISOString(), publicKeys, checkpoints: checkpoints.map((c) => ({ ...c, seq: c.seq.toString() })) };
  yield `${JSON.stringify(header).slice(0, -1)},"events":[`;
  let after: bigint | undefined;
  let first = true;
  for (;;) {
    if (headSeq === null) break;
    const rows = await prisma.auditEvent.findMany({ where: { organizationId, seq: { lte: headSeq, ...(after !== undefined ? { gt: after } : {}) } }, orderBy: { seq: 'asc' }, take: 1_000 });
    for (const row of rows) {
      yield `${first ? '' : ','}\n${JSON.stringify({ ...row, seq: row.seq.toString(), number: row.number.toString() })}`;
      first = false;
    }
    if (rows.length < 1_000) break;
    after = rows[rows.length - 1]!.seq;
  }
  yield '\n]}\n';
}
