'use server';

import { z } from 'zod';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ZInvite, ZInviteRef, ZRoleChange, ZUserRef, type TInvite } from '@/lib/schemas/accounts';
import { publicUrl } from '@/lib/server/env';
import { fail, fieldErrorsOf } from '@/lib/server/result';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { cancelInvitation } from '@/lib/server/users/cancel-invitation';
import { changeRole } from '@/lib/server/users/change-role';
import { inviteUser, type IssuedLink } from '@/lib/server/users/invite-user';
import { issuePasswordReset } from '@/lib/server/users/issue-password-reset';
import { resendInvitation } from '@/lib/server/users/resend-invitation';
import { setUserActive } from '@/lib/server/users/set-user-active';

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

// People: every change of who may do what goes through a step-up of its own purpose ("users").

export async function inviteUserAction(input: TInvite): Promise<ActionResult<IssuedLink>> {
  return secretChangeAction(
    'users',
    async ({ services, actor, organizationId }) => {
      const parsed = ZInvite.safeParse(input);
      if (!parsed.success) return fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error));
      return inviteUser(services, { actor, organizationId, ...parsed.data, baseUrl: publicUrl() });
    },
    { refresh: '/admin/users' },
  );
}

export async function resendInvitationAction(input: { inviteId: string }): Promise<ActionResult<IssuedLink>> {
  return secretChangeAction(
    'users',
    async ({ services, actor, organizationId }) => {
      const parsed = ZInviteRef.safeParse(input);
      if (!parsed.success) return fail('NOT_FOUND', 'Unknown invitation.');
      return resendInvitation(services, { actor, organizationId, inviteId: parsed.data.inviteId, baseUrl: publicUrl() });
    },
    { refresh: '/admin/users' },
  );
}

export async function cancelInvitationAction(input: { inviteId: string }): Promise<ActionResult<null>> {
  return secretChangeAction(
    'users',
    async ({ services, actor, organizationId }) => {
      const parsed = ZInviteRef.safeParse(input);
      if (!parsed.success) return fail('NOT_FOUND', 'Unknown invitation.');
      return cancelInvitation(services, { actor, organizationId, inviteId: parsed.data.inviteId });
    },
    { refresh: '/admin/users' },
  );
}

export async function changeRoleAction(input: { userId: string; role: string }): Promise<ActionResult<null>> {
  return secretChangeAction(
    'users',
    async ({ services, actor, organizationId }) => {
      const parsed = ZRoleChange.safeParse(input);
      if (!parsed.success) return fail('VALIDATION', 'Choose a role.');
      return changeRole(services, { actor, organizationId, ...parsed.data });
    },
    { refresh: '/admin/users' },
  );
}

export async function setUserActiveAction(input: { userId: string; active: boolean }): Promise<ActionResult<null>> {
  return secretChangeAction(
    'users',
    async ({ services, actor, organizationId }) => {
      const parsed = ZUserRef.safeParse(input);
      if (!parsed.success) return fail('NOT_FOUND', 'Unknown user.');
      return setUserActive(services, { actor, organizationId, userId: parsed.data.userId, active: input.active === true });
    },
    { refresh: '/admin/users' },
  );
}

export async function issuePasswordResetAction(input: { userId: string }): Promise<ActionResult<IssuedLink>> {
  return secretChangeAction(
    'users',
    async ({ services, actor, organizationId }) => {
      const parsed = ZUserRef.safeParse(input);
      if (!parsed.success) return fail('NOT_FOUND', 'Unknown user.');
      return issuePasswordReset(services, { actor, organizationId, userId: parsed.data.userId, baseUrl: publicUrl() });
    },
    { refresh: '/admin/users' },
  );
}
