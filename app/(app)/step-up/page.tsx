import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { StepUpPageForm } from '@/components/step-up-page-form';
import { ZStepUpPurpose } from '@/lib/schemas/step-up';
import { requireUser } from '@/lib/server/auth/session';
import { safeReturnPath } from '@/lib/format';

export const metadata: Metadata = { title: 'Confirm' };


export default async function StepUpPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const query = await searchParams;
  const next = safeReturnPath(query.next) ?? '/dashboard';
  if (!user.totpEnabled) redirect(`/settings/security?next=${encodeURIComponent(next)}`);
  const purpose = ZStepUpPurpose.safeParse(query.purpose);
  if (!purpose.success) redirect('/dashboard');
  return (
    <section className="panel sign-in">
      <StepUpPageForm purpose={purpose.data} next={next} />
    </section>
  );
}
