'use server';

import { z } from 'zod';
import type { ActionResult } from '@/lib/schemas/action-result';
import { fail } from '@/lib/server/result';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';

const ZTarget = z.object({ userId: z.uuid() });

/**
 * Unlocks (wrong-code lock-out) or resets (lost phone) another user's two-factor: an ADMIN with a
 * step-up of their own, never for themselves, since whoever holds an admin's session but not the
 * phone could otherwise lift their own lock and keep guessing.
 */
async function helpWithTwoFactor(input: { userId: string }, act: 'unlock' | 'reset'): Promise<ActionResult<null>> {
  return secretChangeAction(
    'user.two-factor',
    async ({ services, actor, organizationId }) => {
      const parsed = ZTarget.safeParse(input);
      if (!parsed.success) return fail('NOT_FOUND', 'Unknown user.');
      return adminTwoFactor(services, { actor, organizationId, userId: parsed.data.userId, act });
    },
    { refresh: '/admin/users' },
  );
}

export async function unlockSecondFactorAction(input: { userId: string }): Promise<ActionResult<null>> {
  return helpWithTwoFactor(input, 'unlock');
}

export async function resetTwoFactorAction(input: { userId: string }): Promise<ActionResult<null>> {
  return helpWithTwoFactor(input, 'reset');
}
