'use client';

import { countOf } from '@/lib/format';
import { useState } from 'react';
import { verifyAuditChainAction, type ChainCheck } from '@/app/(app)/audit/actions';

export function VerifyChainButton() {
  const [check, setCheck] = useState<ChainCheck | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const result = await verifyAuditChainAction();
          setBusy(false);
          if (result.ok) setCheck(result.data);
        }}
      >
        {busy ? 'Verifying…' : 'Verify the chain'}
      </button>
      <p role="status" className={check && !check.intact ? 'form-error' : undefined}>
        {check?.intact && `Intact: ${countOf(check.events, 'event')} of your organization, numbered without a gap and each linked to the one before; ${countOf(check.checkpoints, 'signed checkpoint')} ${check.checkpoints === 1 ? 'holds' : 'hold'}. Head ${check.headHash.slice(0, 16)}…`}
        {check && !check.intact && `Broken: ${check.reason}. ${check.events === 0 ? 'No event before it could be verified.' : `Events #1 to #${check.events} are intact.`}`}
      </p>
    </div>
  );
}
