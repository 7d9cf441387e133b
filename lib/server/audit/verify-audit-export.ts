import 'server-only';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AUDIT_EXPORT_FORMAT } from '@/lib/server/audit/export-audit-log';
import { checkChain, type AuditChainReport } from '@/lib/server/audit/verify-audit-chain';

const ZSeq = z.string().regex(/^\d{1,19}$/).transform((value) => BigInt(value));
const ZCheckpoints = z.array(z.object({ seq: ZSeq, hash: z.string().regex(/^[0-9a-f]{64}$/), signedAt: z.iso.datetime().transform((t) => new Date(t)), keyId: z.string(), signature: z.string() }));
const ZExport = z.object({
  format: z.literal(AUDIT_EXPORT_FORMAT),
  chain: z.string().min(1),
  checkpoints: ZCheckpoints,
  events: z.array(
    z.object({
      seq: ZSeq,
      /** Its number in its chain (exports made before events were numbered have none). */
      number: ZSeq.optional(),
      chain: z.string(),
      at: z.iso.datetime().transform((t) => new Date(t)),
      actorType: z.string(),
      actorId: z.string().nullable(),
      actorLabel: z.string().nullable(),
      action: z.string(),
      targetType: z.string().nullable(),
      targetId: z.string().nullable(),
      organizationId: z.string().nullable(),
      outcome: z.string(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      details: z.unknown(),
      prevHash: z.string(),
      hash: z.string(),
    }),
  ),
});

export type AuditExportReport = AuditChainReport & { legacyEvents: number; headSignedAt?: Date; earlierCheckpoints: number };

const readExport = (text: string, what: string) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON: export it again with "Export JSON" on the Audit log page.`);
  }
  const parsed = ZExport.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${what} is not a Strongroom audit export (${AUDIT_EXPORT_FORMAT}): ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
};

/**
 * Verifies a JSON export offline against public keys the auditor trusts (never the keys inside the
 * export, which whoever edited it could have replaced). `expectedChain` (an organization's id) makes
 * an export of another organization fail. The export must end at a checkpoint of its own last event,
 * signed by a trusted key: without one, its events could have been edited and re-hashed, or its
 * signed checkpoints dropped. `earlierExports` are exports the auditor already holds: their
 * checkpoints are checked too, so an export that leaves out events the auditor has seen signed
 * fails. Events written before chains were per organization are counted but can only be verified
 * with the whole database (`npm run audit:verify`).
 */
export async function verifyAuditExport(
  text: string,
  { publicKeys, expectedChain, earlierExports = [] }: { publicKeys: Map<string, KeyObject>; expectedChain?: string; earlierExports?: string[] },
): Promise<AuditExportReport> {
  const { chain, checkpoints, events } = readExport(text, 'The file');
  if (expectedChain && chain !== expectedChain) throw new Error(`This export is of chain ${chain}, not of ${expectedChain}.`);
  const earlier = earlierExports.flatMap((earlierText, index) => {
    const other = readExport(earlierText, `Earlier export ${index + 1}`);
    if (other.chain !== chain) throw new Error(`Earlier export ${index + 1} is of chain ${other.chain}, not of ${chain}.`);
    return other.checkpoints;
  });
  const bySeq = new Map([...earlier, ...checkpoints].map((checkpoint) => [checkpoint.seq, checkpoint]));
  const own = events.filter((event) => event.chain === chain);
  const report = await checkChain(chain, own, [...bySeq.values()], publicKeys);
  const extra = { legacyEvents: events.length - own.length, earlierCheckpoints: earlier.length };
  if (!report.ok) return { ...report, ...extra };
  const last = own.at(-1);
  const head = last ? checkpoints.find((checkpoint) => checkpoint.seq === last.seq) : undefined;
  if (!last || !head) {
    return {
      ok: false,
      chain,
      events: report.events,
      brokenAt: last?.seq ?? 0n,
      reason: 'the export carries no signed checkpoint of its last event, so edited or removed events could not be told apart (every export from Strongroom signs one)',
      ...extra,
    };
  }
  return { ...report, ...extra, headSignedAt: head.signedAt };
}
