'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { ZServiceAccountRef, type TServiceAccountCreate } from '@/lib/schemas/service-account';
import { fail } from '@/lib/server/result';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { createServiceAccount } from '@/lib/server/service-accounts/create-service-account';
import { revokeServiceAccount } from '@/lib/server/service-accounts/revoke-service-account';

/** Creates a service account; its key is in the result, once. */
export async function createServiceAccountAction(input: TServiceAccountCreate): Promise<ActionResult<{ id: string; key: string }>> {
  return secretChangeAction('service-account.keys', ({ services, actor, organizationId }) => createServiceAccount(services, { actor, organizationId, input }));
}

export async function revokeServiceAccountAction(input: { id: string }): Promise<ActionResult<null>> {
  return secretChangeAction(
    'service-account.keys',
    async ({ services, actor, organizationId }) => {
      const parsed = ZServiceAccountRef.safeParse(input);
      if (!parsed.success) return fail('NOT_FOUND', 'Unknown service account; nothing was changed.');
      return revokeServiceAccount(services, { actor, organizationId, id: parsed.data.id });
    },
    { refresh: '/admin/service-accounts' },
  );
}
