'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { ActionResult } from '@/lib/schemas/action-result';
import { requestActor } from '@/lib/server/auth/request-actor';
import { vault } from '@/lib/server/credentials/vault';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { requireSecretChange } from '@/lib/server/step-up/require-secret-change';
import { toActionResult } from '@/lib/server/to-action-result';

const ZTarget = z.object({ userId: z.uuid() });

/**
 * Unlocks (wrong-code lock-out) or resets (lost phone) another user's two-factor: an ADMIN with a
 * step-up of their own, never for themselves, since whoever holds an admin's session but not the
 * phone could otherwise lift their own lock and keep guessing.
 */
async function helpWithTwoFactor(input: { userId: string }, act: 'unlock' | 'reset'): Promise<ActionResult<null>> {
  const gate = await requireSecretChange('user.two-factor');
  if (!gate.ok) return toActionResult(gate);
  const parsed = ZTarget.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Unknown user.' };
  const result = await adminTwoFactor(await vault(), { actor: await requestActor(gate.data), organizationId: gate.data.organizationId, userId: parsed.data.userId, act });
  revalidatePath('/admin/users');
  return toActionResult(result);
}

export async function unlockSecondFactorAction(input: { userId: string }): Promise<ActionResult<null>> {
  return helpWithTwoFactor(input, 'unlock');
}

export async function resetTwoFactorAction(input: { userId: string }): Promise<ActionResult<null>> {
  return helpWithTwoFactor(input, 'reset');
}
