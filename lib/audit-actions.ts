import { z } from 'zod';

/** What each audit action means, as an auditor reads it. An action not listed is shown by its code. */
export const AUDIT_ACTIONS: Record<string, string> = {
  'credential.create': 'Created a credential',
  'credential.update': 'Changed a credential’s settings or secrets',
  'credential.stage': 'Set pending secrets',
  'credential.test_pending': 'Tested the pending secrets',
  'credential.promote': 'Promoted the pending secrets',
  'credential.discard_pending': 'Discarded the pending secrets',
  'credential.rollback': 'Rolled back to the previous secrets',
  'credential.version_destroy': 'Destroyed a previous version of the secrets',
  'credential.revoke': 'Revoked a credential',
  'credential.delete': 'Deleted a credential',
  'credential.restore': 'Restored a deleted credential',
  'credential.purge': 'Purged a deleted credential',
  'credential.open': 'Opened secrets for use',
  'credential.test': 'Ran a connection test',
  'credential.expire': 'Marked a credential expired',
  'credential.watch': 'Changed the owner or test schedule',
  'credential.integrity_failure': 'A sealed value failed to open',
  'change_request.create': 'Asked for approval of a change',
  'change_request.approve': 'Approved and applied a change request',
  'change_request.reject': 'Rejected a change request',
  'change_request.withdraw': 'Withdrew a change request',
  'change_request.expire': 'A change request expired',
  'change_request.stale': 'A change request was refused: the credential had changed',
  'token.obtain': 'Obtained an access token',
  'token.refresh_ahead': 'Refreshed a token ahead of expiry',
  'api.access_token': 'A service asked for an access token',
  'api.credentials.list': 'A service listed credentials',
  'api.credentials.get': 'A service read a credential’s status',
  'api.connection_test': 'A service ran a connection test',
  'auth.sign_in': 'Signed in',
  'auth.sign_out': 'Signed out',
  'step_up.verify': 'Confirmed with a second factor',
  'step_up.required': 'A change was refused without a second-factor confirmation',
  'access.denied': 'Access refused',
  'user.invite': 'Invited a person',
  'user.invite_resend': 'Sent an invitation again',
  'user.invite_cancel': 'Cancelled an invitation',
  'user.sessions_end': 'Ended their other sessions',
  'user.daily_digest': 'Turned the daily digest on or off',
  'setup.link_issued': 'Issued the setup link',
  'setup.completed': 'Set up the organization',
  'user.join': 'Joined the organization',
  'user.role_change': 'Changed a person’s role',
  'user.deactivate': 'Deactivated an account',
  'user.reactivate': 'Reactivated an account',
  'user.password_change': 'Changed their password',
  'user.password_reset_issue': 'Issued a password reset',
  'user.password_reset': 'Reset their password',
  'totp.enroll_start': 'Started setting up two-factor',
  'totp.enroll_confirm': 'Confirmed a new authenticator',
  'totp.enabled': 'Turned on two-factor',
  'totp.admin_unlock': 'Unlocked another person’s two-factor',
  'totp.admin_reset': 'Reset another person’s two-factor',
  'totp.remove': 'Turned off two-factor',
  'totp.reenroll': 'Replaced their authenticator',
  'passkey.register': 'Registered a passkey',
  'passkey.remove': 'Removed a passkey',
  'entity.create': 'Added a legal entity',
  'entity.update': 'Changed a legal entity',
  'entity.archive': 'Archived a legal entity',
  'entity.restore': 'Restored a legal entity',
  'entity.import': 'Imported legal entities',
  'entity.export': 'Exported legal entities',
  'service_account.create': 'Created a service account',
  'service_account.revoke': 'Revoked a service account',
  'webhook.create': 'Registered a webhook endpoint',
  'webhook.remove': 'Removed a webhook endpoint',
  'webhook.test': 'Sent a test event to a webhook endpoint',
  'webhook.resend': 'Sent a webhook delivery again',
  'notification.deliver': 'Delivered a notification (mail or webhook)',
  'mail.send': 'Sent a mail',
  'organization.settings': 'Changed the organization’s settings',
  'organization.approval_policy': 'Changed the four-eyes approval policy',
  'keys.rewrap': 'Rewrapped data keys under a new key-encryption key',
  'keys.reseal': 'Resealed secrets under a new data key',
  'keys.rotation_start': 'Started rewrapping every data key under the current key-encryption key',
  'keys.rotation_finish': 'A key rotation finished',
  'organization.shred': 'Destroyed every secret of the organization',
  'sso.configure': 'Changed the single sign-on provider',
  'sso.only': 'Turned single sign-on only on or off',
  'sso.break_glass': 'Marked an administrator as break-glass or not',
  'backup.requested': 'Asked for a backup now',
  'organization.passkeys_for_admins': 'Turned passkeys for administrators on or off',
  'auth.backchannel_logout': 'A sign-out at the identity provider ended sessions',
  'audit.export': 'Exported the audit log',
  'audit.verify': 'Verified the audit chain',
  'job.run': 'A scheduled job ran',
  'demo.seed': 'Demo data was created',
};

/** The failure codes a refusal records, in words. */
const REASONS: Record<string, string> = {
  CONFLICT: 'changed by someone else meanwhile',
  VALIDATION: 'invalid input',
  NOT_FOUND: 'not found',
  INVALID_STATE: 'not possible in its state',
  FORBIDDEN: 'not allowed',
  STEP_UP_REQUIRED: 'no second-factor confirmation',
  TWO_FACTOR_REQUIRED: 'two-factor not set up',
  RATE_LIMITED: 'too many attempts',
  INTEGRITY: 'a sealed value failed to open',
};

const STATUS_WORDS: Record<string, string> = { NEEDS_ATTENTION: 'needs attention' };
const status = (value: unknown) => STATUS_WORDS[String(value)] ?? String(value).toLowerCase();
const list = (value: unknown) => (Array.isArray(value) ? value.map(String).join(', ') : '');

/** The verbs the labels start with, in the form "Tried to …" takes, for events that did not succeed. */
const BASE_FORMS: Record<string, string> = {
  Created: 'create', Changed: 'change', Set: 'set', Tested: 'test', Promoted: 'promote', Discarded: 'discard', Rolled: 'roll', Destroyed: 'destroy',
  Revoked: 'revoke', Deleted: 'delete', Restored: 'restore', Purged: 'purge', Opened: 'open', Ran: 'run', Marked: 'mark', Asked: 'ask',
  Approved: 'approve', applied: 'apply', Rejected: 'reject', Withdrew: 'withdraw', Obtained: 'obtain', Refreshed: 'refresh', Signed: 'sign',
  Confirmed: 'confirm', Invited: 'invite', Sent: 'send', Cancelled: 'cancel', Ended: 'end', Turned: 'turn', Issued: 'issue', Joined: 'join',
  Deactivated: 'deactivate', Reactivated: 'reactivate', Reset: 'reset', Started: 'start', Unlocked: 'unlock', Replaced: 'replace', Added: 'add',
  Archived: 'archive', Imported: 'import', Exported: 'export', Registered: 'register', Removed: 'remove', Delivered: 'deliver', Rewrapped: 'rewrap',
  Resealed: 'reseal', Verified: 'verify',
};

/**
 * A label as an attempt, for an event that was refused or failed: "Approved and applied a change
 * request" would say the opposite of what happened, "Tried to approve and apply a change request"
 * does not. Labels that describe something that happened to someone ("A service …") stay.
 */
export function attempted(label: string): string {
  const [first = '', ...rest] = label.split(' ');
  const base = BASE_FORMS[first];
  if (!base) return label;
  const words = rest.map((word, i) => (rest[i - 1] === 'and' && BASE_FORMS[word] ? BASE_FORMS[word]! : word));
  return ['Tried to', base, ...words].join(' ');
}

/** What a refused access asked for: "page /admin/users", "to run a connection test", "address /audit/export". */
function resourceWords(resource: string): string {
  const [kind, rest = ''] = resource.split(/:(.*)/s);
  if (kind === 'page') return `page ${rest}`;
  if (kind === 'route') return `address ${rest}`;
  const action = kind === 'action' ? rest : resource;
  const label = AUDIT_ACTIONS[action];
  return label && attempted(label) !== label ? attempted(label).replace(/^Tried /, '') : `action ${action}`;
}

/**
 * One readable sentence for an event: what was done, and what its details say (fields, versions,
 * status moves, who asked and who approved). Never more than the event holds.
 */
export function describeAuditEvent(event: { action: string; outcome: string; details: unknown }): string {
  const d = (event.details ?? {}) as Record<string, unknown>;
  const label = AUDIT_ACTIONS[event.action] ?? event.action;
  const parts = [event.outcome === 'SUCCESS' ? label : attempted(label)];
  if (typeof d.resource === 'string') parts.push(resourceWords(d.resource));
  if (event.action === 'access.denied' && d.role) parts.push(`role ${String(d.role).toLowerCase()}`);
  if (list(d.replacedSecrets)) parts.push(`replaced ${list(d.replacedSecrets)}`);
  if (list(d.secretFields)) parts.push(`secrets ${list(d.secretFields)}`);
  if (list(d.fields) && event.action !== 'credential.open') parts.push(`fields ${list(d.fields)}`);
  if (d.secretVersion != null) parts.push(`version ${String(d.secretVersion)}`);
  if (d.kind) parts.push(`change: ${String(d.kind).toLowerCase()}`);
  if (d.fromStatus && d.toStatus) parts.push(`${status(d.fromStatus)} → ${status(d.toStatus)}`);
  else if (d.toStatus) parts.push(`as ${status(d.toStatus)}`);
  if (d.requestedBy) parts.push(`requested by ${String(d.requestedBy)}`);
  if (d.purpose) parts.push(`for ${String(d.purpose).replace(/_/g, ' ')}`);
  if (d.trigger) parts.push(`by ${String(d.trigger).toLowerCase()}`);
  if (d.errorCode) parts.push(`error ${String(d.errorCode)}`);
  if (event.outcome !== 'SUCCESS' && d.reason) parts.push(`refused: ${REASONS[String(d.reason)] ?? String(d.reason)}`);
  else if (d.reason) parts.push(`reason: ${String(d.reason)}`);
  return parts.join(' · ');
}

const day = z.union([z.literal(''), z.iso.date('Use a date such as 2026-12-01')]).optional();
const id = z.union([z.literal(''), z.uuid()]).optional();

/** The audit log's filters, as they travel in the URL (shareable). Empty means "any". */
export const ZAuditFilters = z.object({
  actor: z.union([z.literal(''), z.literal('system'), z.uuid()]).optional(),
  action: z.union([z.literal(''), z.string().regex(/^[a-z_.]{1,64}$/)]).optional(),
  entity: id,
  credential: id,
  outcome: z.enum(['', 'SUCCESS', 'DENIED', 'FAILURE']).optional(),
  from: day,
  to: day,
});
export type TAuditFilters = z.infer<typeof ZAuditFilters>;

/** The filters that are set, as URL parameters. */
export const auditFilterParams = (filters: TAuditFilters) => Object.fromEntries(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])));
