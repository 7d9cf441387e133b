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

/** Time zone and expiry lead times of the organization (administrators). */
export async function saveOrganizationSettingsAction(input: TOrganizationSettings): Promise<ActionResult<null>> {
  const user = await requireRole(ADMINS, 'organization.settings');
  const result = await saveOrganizationSettings(await services(), { actor: await requestActor(user), organizationId: user.organizationId, input });
  if (result.ok) revalidatePath('/', 'layout');
  return toActionResult(result);
}
