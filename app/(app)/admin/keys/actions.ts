'use server';

import type { ActionResult } from '@/lib/schemas/action-result';
import { startKeyRotation } from '@/lib/server/crypto/rotation-job';
import { KEY_ROTATION_JOB, processJobs } from '@/lib/server/jobs/jobs';
import { runJobNow } from '@/lib/server/jobs/scheduler';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';
import { shredOrganization, type ShredOutcome } from '@/lib/server/organization/shred-organization';
import { secretChangeAction } from '@/lib/server/secret-change-action';

/** Starts rewrapping every key under the current KEK (step-up of its own); the job starts at once, in the background. */
export async function startKeyRotationAction(): Promise<ActionResult<{ total: number }>> {
  return secretChangeAction(
    'keys.rotate',
    async ({ services, actor, organizationId }) => {
      const started = await startKeyRotation(services, { actor, organizationId });
      if (started.ok) void runJobNow(services, processJobs(), KEY_ROTATION_JOB).catch(() => undefined);
      return started;
    },
    { refresh: '/admin/keys' },
  );
}

/**
 * Crypto-shreds the signed-in admin's organization, after the step-up and the typed confirmation;
 * under four-eyes approval, asks another administrator to approve it instead.
 */
export async function shredOrganizationAction(input: { confirmation: string }): Promise<ActionResult<ShredOutcome | ApprovalRequested>> {
  return secretChangeAction('organization.shred', ({ services, actor, organizationId }) => shredOrganization(services, { actor, organizationId, input }), { refresh: '/admin/keys' });
}
