'use client';

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
        {check?.intact && `Intact: ${check.events} events of your organization, each linked to the one before; ${check.checkpoints} signed checkpoints hold. Head ${check.headHash.slice(0, 16)}…`}
        {check && !check.intact && `Broken at event #${check.brokenAt}: ${check.reason}. ${check.events} events before it are intact.`}
      </p>
    </div>
  );
}
