'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ZServiceAccountRef, type TServiceAccountCreate } from '@/lib/schemas/service-account';
import { requestActor } from '@/lib/server/auth/request-actor';
import { vault } from '@/lib/server/credentials/vault';
import { createServiceAccount, revokeServiceAccount } from '@/lib/server/service-accounts/manage-service-accounts';
import { requireSecretChange } from '@/lib/server/step-up/require-secret-change';
import { toActionResult } from '@/lib/server/to-action-result';

/** Creates a service account; its key is in the result, once. */
export async function createServiceAccountAction(input: TServiceAccountCreate): Promise<ActionResult<{ id: string; key: string }>> {
  const gate = await requireSecretChange('service-account.keys');
  if (!gate.ok) return toActionResult(gate);
  const result = await createServiceAccount(await vault(), { actor: await requestActor(gate.data), organizationId: gate.data.organizationId, input });
  return toActionResult(result);
}

export async function revokeServiceAccountAction(input: { id: string }): Promise<ActionResult<null>> {
  const gate = await requireSecretChange('service-account.keys');
  if (!gate.ok) return toActionResult(gate);
  const parsed = ZServiceAccountRef.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Unknown service account; nothing was changed.' };
  const result = await revokeServiceAccount(await vault(), { actor: await requestActor(gate.data), organizationId: gate.data.organizationId, id: parsed.data.id });
  revalidatePath('/admin/service-accounts');
  return toActionResult(result);
}
