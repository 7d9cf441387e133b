import 'server-only';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AUDIT_EXPORT_FORMAT } from '@/lib/server/audit/export-audit-log';
import { checkChain, type AuditChainReport } from '@/lib/server/audit/verify-audit-chain';

const ZSeq = z.string().regex(/^\d{1,19}$/).transform((value) => BigInt(value));
const ZExport = z.object({
  format: z.literal(AUDIT_EXPORT_FORMAT),
  chain: z.string().min(1),
  checkpoints: z.array(z.object({ seq: ZSeq, hash: z.string().regex(/^[0-9a-f]{64}$/), signedAt: z.iso.datetime().transform((t) => new Date(t)), keyId: z.string(), signature: z.string() })),
  events: z.array(
    z.object({
      seq: ZSeq,
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

/**
 * Verifies a JSON export offline against public keys the auditor trusts (never the keys inside the
 * export, which whoever edited it could have replaced). `expectedChain` (an organization's id) makes
 * an export of another organization fail. Events written before chains were per organization are
 * counted but can only be verified with the whole database (`npm run audit:verify`).
 */
export async function verifyAuditExport(
  text: string,
  { publicKeys, expectedChain }: { publicKeys: Map<string, KeyObject>; expectedChain?: string },
): Promise<AuditChainReport & { legacyEvents: number }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('The file is not JSON: export it again with "Export JSON" on the Audit log page.');
  }
  const parsed = ZExport.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`The file is not a Strongroom audit export (${AUDIT_EXPORT_FORMAT}): ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}.`);
  }
  const { chain, checkpoints, events } = parsed.data;
  if (expectedChain && chain !== expectedChain) throw new Error(`This export is of chain ${chain}, not of ${expectedChain}.`);
  const own = events.filter((event) => event.chain === chain);
  const report = await checkChain(chain, own, checkpoints, publicKeys);
  return { ...report, legacyEvents: events.length - own.length };
}
