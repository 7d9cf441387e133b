import 'server-only';
import { dayCount } from '@/lib/expiry';
import type { Mail } from '@/lib/server/mail/mailer';

type Data = Record<string, unknown>;

const text = (value: unknown, fallback = '') => (typeof value === 'string' || typeof value === 'number' ? String(value) : fallback);

/**
 * The mail of a notification: what happened, to which credential of which entity, what to do, and
 * the link to its page. Built from the notification's data (labels, status, dates), never a secret.
 */
export function renderMail({ event, data }: { event: string; data: Data }, { to, baseUrl }: { to: string; baseUrl: string }): Mail {
  const what = `${text(data.credentialLabel, 'A credential')} (${text(data.profileTitle)}, ${text(data.environment).toLowerCase()}) of ${text(data.legalEntityName, 'an entity')}`;
  const link = data.credentialId ? `${baseUrl}/credentials/${text(data.credentialId)}` : baseUrl;
  const day = (value: unknown) => text(value).slice(0, 10);
  switch (event) {
    case 'credential.expiring':
      return {
        to,
        subject: `Expiring in ${dayCount(Number(data.daysLeft))}: ${text(data.credentialLabel)} (${text(data.legalEntityName)})`,
        text: `${what} expires on ${day(data.expiresAt)}, in ${dayCount(Number(data.daysLeft))}.\n\nRenew it with the provider and save the new values in Strongroom before then; invoicing with it stops at expiry.\n\n${link}\n`,
      };
    case 'credential.expired':
      return {
        to,
        subject: `Expired: ${text(data.credentialLabel)} (${text(data.legalEntityName)})`,
        text: `${what} expired on ${day(data.expiresAt)}. Strongroom no longer serves it to your services.\n\nRenew it with the provider and save the new values in Strongroom.\n\n${link}\n`,
      };
    case 'credential.test_failing':
      return {
        to,
        subject: `Failing connection tests: ${text(data.credentialLabel)} (${text(data.legalEntityName)})`,
        text: `The last ${text(data.consecutiveFailures)} connection tests of ${what} failed. Last error: ${text(data.lastError, 'none recorded')}.\n\n${link}\n`,
      };
    case 'credential.refresh_failed':
      return {
        to,
        subject: `Token refused: ${text(data.credentialLabel)} (${text(data.legalEntityName)})`,
        text: `The provider refused to issue a token for ${what} (${text(data.errorCode, 'refused')}). It needs attention: check the client ID and secret, save them again and run a test.\n\n${link}\n`,
      };
    case 'credential.integrity_failure':
      return {
        to,
        subject: `Integrity failure: ${text(data.credentialLabel)} (${text(data.legalEntityName)})`,
        text: `A sealed value of ${what} could not be opened: it was altered or its key is missing. Replace the value, and check the audit trail.\n\n${link}\n`,
      };
    case 'change_request.created':
      return {
        to,
        subject: `Approval needed: ${text(data.kindLabel, text(data.kind))} ${text(data.credentialLabel, 'a credential')}`,
        text: `${text(data.requestedBy, 'An administrator')} asks to ${text(data.kindLabel, text(data.kind)).toLowerCase()} ${text(data.credentialLabel, 'a production credential')}. It needs a second administrator: review it before ${text(data.expiresAt).slice(0, 16).replace('T', ' ')} UTC, when it expires. Nothing changes until someone approves it.\n\n${baseUrl}/approvals\n`,
      };
    case 'change_request.decided':
      return {
        to,
        subject: `Your change request was ${text(data.decision)}: ${text(data.credentialLabel, 'a credential')}`,
        text: `${text(data.decidedBy, 'An administrator')} ${text(data.decision)} your request to ${text(data.kindLabel, text(data.kind)).toLowerCase()} ${text(data.credentialLabel, 'a credential')}.${data.reason ? ` Reason: ${text(data.reason)}` : ''}\n\n${baseUrl}/approvals\n`,
      };
    case 'backup.failed':
      return {
        to,
        subject: 'Strongroom backup failed',
        text: `The scheduled backup into ${text(data.backupDir)} failed: ${text(data.error, 'no reason recorded')}.\n\nUntil one succeeds, the newest backup gets older. Check the disk and BACKUP_DIR on the server; Admin → Scheduler shows the job and can run it again.\n\n${baseUrl}/admin/scheduler\n`,
      };
    case 'digest.daily':
      return {
        to,
        subject: `Strongroom daily digest: ${text(data.expired)} expired, ${text(data.expiring)} expiring, ${text(data.failing)} failing`,
        text: `${text(data.organizationName)} today:\n\n- expired: ${text(data.expired)}\n- expiring: ${text(data.expiring)}\n- failing: ${text(data.failing)}\n- never tested: ${text(data.neverTested)}\n\n${text(data.lines)}\n\n${baseUrl}/expiring\n\nYou get this mail because you turned the daily digest on (Settings → Security).\n`,
      };
    default:
      return { to, subject: `Strongroom: ${event}`, text: `${what}: ${event}.\n\n${link}\n` };
  }
}
