'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { ADMINS } from '@/lib/roles';
import type { ActionResult } from '@/lib/schemas/action-result';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { vault } from '@/lib/server/credentials/vault';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { requireSecretChange } from '@/lib/server/step-up/require-secret-change';
import { toActionResult } from '@/lib/server/to-action-result';

const ZTarget = z.object({ userId: z.uuid() });

/** Clears a user's wrong-code lock-out (ADMIN). */
export async function unlockSecondFactorAction(input: { userId: string }): Promise<ActionResult<null>> {
  const admin = await requireRole(ADMINS, 'action:totp.unlock');
  const parsed = ZTarget.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Unknown user.' };
  const result = await adminTwoFactor(await vault(), { actor: await requestActor(admin), organizationId: admin.organizationId, userId: parsed.data.userId, act: 'unlock' });
  return toActionResult(result);
}

/** Removes a user's two-factor so they can enroll again (ADMIN, with step-up). */
export async function resetTwoFactorAction(input: { userId: string }): Promise<ActionResult<null>> {
  const gate = await requireSecretChange('user.reset-two-factor');
  if (!gate.ok) return toActionResult(gate);
  const parsed = ZTarget.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Unknown user.' };
  const result = await adminTwoFactor(await vault(), { actor: await requestActor(gate.data), organizationId: gate.data.organizationId, userId: parsed.data.userId, act: 'reset' });
  revalidatePath('/admin/users');
  return toActionResult(result);
}
