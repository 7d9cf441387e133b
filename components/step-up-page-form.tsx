'use client';

import { useRouter } from 'next/navigation';
import { StepUpForm } from '@/components/step-up-form';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';

export function StepUpPageForm({ purpose, next }: { purpose: TStepUpPurpose; next: string }) {
  const router = useRouter();
  return <StepUpForm heading="h1" purpose={purpose} onConfirmed={() => router.replace(next)} />;
}
