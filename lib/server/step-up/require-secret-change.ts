import 'server-only';
import { ADMINS } from '@/lib/roles';
import { requireRole, type CurrentUser } from '@/lib/server/auth/session';

/** What a secret-changing entry point is about to do; a future step-up grant is bound to one purpose. */
export type SecretChangePurpose =
  | 'credential.create'
  | 'credential.update'
  | 'credential.revoke'
  | 'credential.delete'
  | 'keys.rotate'
  | 'service-account.keys';

/**
 * The one gate every page and server action that changes secrets passes through. Today it admits
 * ADMINs only (refusals audited by requireRole). The TOTP step-up check belongs here, so that no
 * entry point can skip it.
 */
export async function requireSecretChange(purpose: SecretChangePurpose): Promise<CurrentUser> {
  return requireRole(ADMINS, purpose);
}
