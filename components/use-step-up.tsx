'use client';

import { useState, type ReactNode } from 'react';
import { StepUpForm } from '@/components/step-up-form';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';

/**
 * For forms whose server action may answer STEP_UP_REQUIRED (no grant yet, or it lapsed): ask for a
 * code in place, then run the action again, keeping what the user typed.
 */
export function useStepUp(): {
  stepUpForm: ReactNode;
  needsStepUp: (result: { ok: boolean; code?: string }, purpose: TStepUpPurpose, retry: () => unknown) => boolean;
} {
  const [prompt, setPrompt] = useState<{ purpose: TStepUpPurpose; retry: () => unknown } | null>(null);
  const needsStepUp = (result: { ok: boolean; code?: string }, purpose: TStepUpPurpose, retry: () => unknown) => {
    if (result.ok || result.code !== 'STEP_UP_REQUIRED') return false;
    setPrompt({ purpose, retry });
    return true;
  };
  const stepUpForm = prompt ? (
    <StepUpForm
      purpose={prompt.purpose}
      onConfirmed={() => {
        setPrompt(null);
        void prompt.retry();
      }}
    />
  ) : null;
  return { stepUpForm, needsStepUp };
}
