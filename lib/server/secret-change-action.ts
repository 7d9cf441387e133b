import 'server-only';
import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import type { TStepUpPurpose } from '@/lib/schemas/step-up';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { logger } from '@/lib/server/logger';
import { requestActor } from '@/lib/server/auth/request-actor';
import type { CurrentUser } from '@/lib/server/auth/session';
import type { Result } from '@/lib/server/result';
import { services, type Services } from '@/lib/server/services';
import { requireSecretChange } from '@/lib/server/step-up/require-secret-change';
import { toActionResult } from '@/lib/server/to-action-result';

/** What a secret-changing operation is run with once the gate has let the admin through. */
export interface SecretChange {
  services: Services;
  actor: Actor;
  organizationId: string;
  user: CurrentUser;
}

/**
 * The body of every server action that changes secrets: the step-up gate for `purpose` (role,
 * two-factor, a grant in this session; run here, inside the action, on every call, since anyone can
 * POST to an action), then `change` as the signed-in admin, then `refresh` is revalidated. Returns
 * what the form shows.
 */
export async function secretChangeAction<T>(
  purpose: TStepUpPurpose,
  change: (context: SecretChange) => Promise<Result<T>>,
  { refresh }: { refresh?: string } = {},
): Promise<ActionResult<T>> {
  const gate = await requireSecretChange(purpose);
  if (!gate.ok) return toActionResult(gate);
  const user = gate.data;
  let result: Result<T>;
  try {
    result = await change({ services: await services(), actor: await requestActor(user), organizationId: user.organizationId, user });
  } catch (error) {
    if (!(error instanceof KeyProviderError)) throw error;
    // Every change writes in one transaction, so a key that could not be used left nothing half-written.
    logger().error({ event: 'action.keys_unavailable', purpose, err: error.message }, 'key provider unavailable');
    return { ok: false, code: 'KEYS_UNAVAILABLE', formError: 'Keys unavailable: the key provider cannot be used right now, so nothing was changed. Try again shortly; Admin → Keys says why.' };
  }
  if (refresh) revalidatePath(refresh);
  return toActionResult(result);
}
