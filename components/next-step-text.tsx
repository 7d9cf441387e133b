import Link from 'next/link';
import type { NextStep } from '@/lib/next-step';

/** A next step: what to do, and the link that does it when the reader may. */
export function NextStepText({ step }: { step: NextStep }) {
  return (
    <>
      {step.text}
      {step.action && (
        <div>
          <Link href={step.action.href}>{step.action.label}</Link>
        </div>
      )}
    </>
  );
}
