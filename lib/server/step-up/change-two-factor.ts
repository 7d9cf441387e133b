import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { reauthenticate } from '@/lib/server/auth/reauthenticate';
import type { Services } from '@/lib/server/services';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { authenticatorCodeRefused, PASSKEY_REQUIRED_MESSAGE } from '@/lib/server/passkeys/step-up-methods';
import { fail, ok, type Result } from '@/lib/server/result';
import { beginPendingEnrollment } from '@/lib/server/step-up/pending-enrollment';
import { removeTwoFactor } from '@/lib/server/step-up/remove-two-factor';
import { verifySecondFactor } from '@/lib/server/step-up/verify-second-factor';
import { isLastBreakGlass, LAST_BREAK_GLASS_MESSAGE } from '@/lib/server/users/last-admin';

/**
 * Re-authenticates with password and a current code (or recovery code) before replacing the
 * authenticator or turning two-factor off. `then: 'remove'` turns it off; `then: 'reenroll'` starts a
 * new pending enrollment (a new key to scan) while the current authenticator keeps working until the
 * new one is confirmed.
 */
export async function changeTwoFactor(
  services: Services,
  { user, password, code, actor, then }: { user: { id: string; organizationId: string; email: string; sessionId?: string }; password: string; code: string; actor: Actor; then: 'remove' | 'reenroll' },
): Promise<Result<null>> {
  const action = then === 'remove' ? 'totp.remove' : 'totp.reenroll';
  const checked = await reauthenticate(services.prisma, { user, password, actor, action, orProviderSignIn: true });
  if (!checked.ok) return checked;
  // Turning two-factor off removes the passkeys too: where they are required, an authenticator code
  // alone must not undo them (a recovery code may).
  if (then === 'remove' && (await authenticatorCodeRefused(services, { userId: user.id, purpose: 'passkeys', code }))) {
    await recordAuditEvent(services.prisma, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason: 'passkey_required' } });
    return fail('VALIDATION', PASSKEY_REQUIRED_MESSAGE, { code: [PASSKEY_REQUIRED_MESSAGE] });
  }
  // Before the code is checked (a recovery code is spent by it); the transaction checks again, locked.
  if (then === 'remove' && (await isLastBreakGlass(services.prisma, { organizationId: user.organizationId, userId: user.id }))) {
    await recordAuditEvent(services.prisma, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason: 'last_break_glass' } });
    return fail('INVALID_STATE', LAST_BREAK_GLASS_MESSAGE);
  }
  const verified = await verifySecondFactor(services, { user, code, actor, action });
  if (!verified.ok) return verified;
  const done = await services.prisma.$transaction(async (tx) => {
    if (then === 'remove' && (await isLastBreakGlass(tx, { organizationId: user.organizationId, userId: user.id }))) return false;
    if (then === 'remove') await removeTwoFactor(tx, user.id);
    else await beginPendingEnrollment(tx, services.keyring, user);
    await appendAuditEvent(tx, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'SUCCESS', details: { then } });
    return true;
  });
  if (!done) {
    await recordAuditEvent(services.prisma, { actor, action, target: { type: 'User', id: user.id }, organizationId: user.organizationId, outcome: 'DENIED', details: { reason: 'last_break_glass' } });
    return fail('INVALID_STATE', LAST_BREAK_GLASS_MESSAGE);
  }
  return ok(null);
}
