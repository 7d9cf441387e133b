// npm run audit:verify: walks the audit hash chain and reports the first break (exit 1 if any).
import { verifyAuditChain } from '@/lib/server/audit/verify-audit-chain';
import { databaseLocation } from '@/lib/server/db/client';
import { openDatabase } from '@/lib/server/db/open-database';

async function main() {
  const db = await openDatabase(databaseLocation());
  try {
    const report = await verifyAuditChain(db.prisma);
    if (report.ok) {
      process.stdout.write(`Audit chain intact: ${report.events} events, head ${report.headHash}.\n`);
    } else {
      process.stdout.write(`Audit chain BROKEN at event #${report.brokenAt} (after ${report.events} good events): ${report.reason}.\n`);
      process.exitCode = 1;
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
