'use server';

import { z } from 'zod';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ZInvite, ZInviteRef, ZRoleChange, ZUserRef, type TInvite } from '@/lib/schemas/accounts';
import { publicUrl } from '@/lib/server/env';
import { mailer } from '@/lib/server/mail/mailer';
import { fail, fieldErrorsOf, type Result } from '@/lib/server/result';
import { secretChangeAction, type SecretChange } from '@/lib/server/secret-change-action';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { cancelInvitation } from '@/lib/server/users/cancel-invitation';
import { changeRole } from '@/lib/server/users/change-role';
import { inviteUser, type IssuedLink, type MailedLink } from '@/lib/server/users/invite-user';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';
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

// People: every change of who may do what goes through a step-up of its own purpose ("users"); the
// input is checked inside the gate, so a forged call learns nothing before it.
function peopleAction<S extends z.ZodType, T>(schema: S, input: unknown, change: (context: SecretChange, input: z.output<S>) => Promise<Result<T>>): Promise<ActionResult<T>> {
  return secretChangeAction(
    'users',
    async (context) => {
      const parsed = schema.safeParse(input);
      if (!parsed.success) return fail('VALIDATION', 'Check the highlighted fields.', fieldErrorsOf(parsed.error));
      return change(context, parsed.data);
    },
    { refresh: '/admin/users' },
  );
}

export async function inviteUserAction(input: TInvite): Promise<ActionResult<IssuedLink | ApprovalRequested>> {
  return peopleAction(ZInvite, input, ({ services, actor, organizationId }, invite) => inviteUser(services, { actor, organizationId, ...invite, baseUrl: publicUrl(), mailer: mailer() }));
}

export async function resendInvitationAction(input: { inviteId: string }): Promise<ActionResult<IssuedLink>> {
  return peopleAction(ZInviteRef, input, ({ services, actor, organizationId }, { inviteId }) => resendInvitation(services, { actor, organizationId, inviteId, baseUrl: publicUrl(), mailer: mailer() }));
}

export async function cancelInvitationAction(input: { inviteId: string }): Promise<ActionResult<null>> {
  return peopleAction(ZInviteRef, input, ({ services, actor, organizationId }, { inviteId }) => cancelInvitation(services, { actor, organizationId, inviteId }));
}

export async function changeRoleAction(input: { userId: string; role: string }): Promise<ActionResult<null | ApprovalRequested>> {
  return peopleAction(ZRoleChange, input, ({ services, actor, organizationId }, change) => changeRole(services, { actor, organizationId, ...change }));
}

export async function setUserActiveAction(input: { userId: string; active: boolean }): Promise<ActionResult<null>> {
  return peopleAction(ZUserRef.extend({ active: z.boolean() }), input, ({ services, actor, organizationId }, { userId, active }) =>
    setUserActive(services, { actor, organizationId, userId, active }),
  );
}

export async function issuePasswordResetAction(input: { userId: string }): Promise<ActionResult<IssuedLink | MailedLink>> {
  return peopleAction(ZUserRef, input, ({ services, actor, organizationId }, { userId }) => issuePasswordReset(services, { actor, organizationId, userId, baseUrl: publicUrl(), mailer: mailer() }));
}
