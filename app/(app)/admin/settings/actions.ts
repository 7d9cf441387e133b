'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import type { TOrganizationSettings } from '@/lib/schemas/organization-settings';
import { ADMINS } from '@/lib/roles';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { saveOrganizationSettings } from '@/lib/server/organization/organization-settings';
import { services } from '@/lib/server/services';
import { toActionResult } from '@/lib/server/to-action-result';
import type { TApprovalPolicy } from '@/lib/schemas/governance';
import { setApprovalPolicy } from '@/lib/server/approvals/approval-policy';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';
import { secretChangeAction } from '@/lib/server/secret-change-action';

/** Time zone and expiry lead times of the organization (administrators). */
export async function saveOrganizationSettingsAction(input: TOrganizationSettings): Promise<ActionResult<null>> {
  const user = await requireRole(ADMINS, 'organization.settings');
  const result = await saveOrganizationSettings(await services(), { actor: await requestActor(user), organizationId: user.organizationId, input });
  if (result.ok) revalidatePath('/', 'layout');
  return toActionResult(result);
}

/** The four-eyes policy: behind its own step-up, since turning it off lets one administrator change production alone. */
export async function saveApprovalPolicyAction(input: TApprovalPolicy): Promise<ActionResult<null | ApprovalRequested>> {
  return secretChangeAction('approval-policy', ({ services, actor, organizationId }) => setApprovalPolicy(services, { actor, organizationId, input }), { refresh: '/admin/settings' });
}
