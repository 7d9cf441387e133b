'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { setBreakGlassAction, setPasskeysForAdminsAction, setSsoOnlyAction } from '@/app/(app)/admin/sign-in/actions';
import { FormError } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';
import type { ActionResult } from '@/lib/schemas/action-result';

/** One button that changes a sign-in switch behind the `sso` step-up, saying why when it is refused. */
function SwitchButton({ label, run, danger }: { label: string; run: () => Promise<ActionResult<null>>; danger?: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { stepUpForm, needsStepUp } = useStepUp();
  const click = async () => {
    setError(null);
    setBusy(true);
    const result = await run();
    setBusy(false);
    if (needsStepUp(result, 'sso', () => void click())) return;
    if (result.ok) return router.refresh();
    setError(result.formError ?? 'Nothing was changed.');
  };
  if (stepUpForm) return stepUpForm;
  return (
    <>
      <FormError message={error} />
      <button type="button" className={danger ? 'danger' : 'secondary'} disabled={busy} onClick={() => void click()}>
        {label}
      </button>
    </>
  );
}

/** Turns "single sign-on only" on or off. */
export function SsoOnlySwitch({ ssoOnly }: { ssoOnly: boolean }) {
  return <SwitchButton label={ssoOnly ? 'Allow passwords again' : 'Require single sign-on'} danger={!ssoOnly} run={() => setSsoOnlyAction({ ssoOnly: !ssoOnly })} />;
}

/** Marks an administrator as break-glass, or not. */
export function BreakGlassSwitch({ userId, email, breakGlass }: { userId: string; email: string; breakGlass: boolean }) {
  return (
    <SwitchButton
      label={breakGlass ? `Remove break-glass from ${email}` : `Make ${email} break-glass`}
      run={() => setBreakGlassAction({ userId, breakGlass: !breakGlass })}
    />
  );
}

/** Requires administrators to confirm with a passkey, or not. */
export function PasskeysForAdminsSwitch({ required }: { required: boolean }) {
  return (
    <SwitchButton
      label={required ? 'Accept authenticator codes from administrators again' : 'Require passkeys for administrators'}
      run={() => setPasskeysForAdminsAction({ required: !required })}
    />
  );
}
