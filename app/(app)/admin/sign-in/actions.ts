'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import type { TSsoSettings } from '@/lib/schemas/sso';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';
import { setPasskeysForAdmins } from '@/lib/server/passkeys/passkeys';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { saveSsoSettings, setBreakGlass, setSsoOnly } from '@/lib/server/sso/sso-connection';

/** Saves the identity provider (its client secret sealed), behind the `sso` step-up; under four-eyes, asks a second administrator. */
export async function saveSsoSettingsAction(input: TSsoSettings): Promise<ActionResult<null | ApprovalRequested>> {
  return secretChangeAction('sso', ({ services, actor, organizationId }) => saveSsoSettings(services, { actor, organizationId, input }), { refresh: '/admin/sign-in' });
}

/** Turns "single sign-on only" on or off, behind the `sso` step-up. */
export async function setSsoOnlyAction(input: { ssoOnly: boolean }): Promise<ActionResult<null>> {
  return secretChangeAction('sso', ({ services, actor, organizationId }) => setSsoOnly(services, { actor, organizationId, input }), { refresh: '/admin/sign-in' });
}

/** Marks an administrator as break-glass or not, behind the `sso` step-up. */
export async function setBreakGlassAction(input: { userId: string; breakGlass: boolean }): Promise<ActionResult<null>> {
  return secretChangeAction('sso', ({ services, actor, organizationId }) => setBreakGlass(services, { actor, organizationId, input }), { refresh: '/admin/sign-in' });
}

/** Requires administrators to confirm with a passkey, or not, behind the `sso` step-up. */
export async function setPasskeysForAdminsAction(input: { required: boolean }): Promise<ActionResult<null>> {
  return secretChangeAction('sso', ({ services, actor, organizationId }) => setPasskeysForAdmins(services, { actor, organizationId, input }), { refresh: '/admin/sign-in' });
}
