import 'server-only';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import type { Mail, Mailer } from '@/lib/server/mail/mailer';
import type { PrismaClient } from '@/prisma/generated/client';

/**
 * Sends a mail when mail is configured (after the change it tells of has committed) and records
 * the attempt: to whom and what about, never the text. Resolves whether the server accepted it.
 */
export async function sendAuditedMail(
  prisma: PrismaClient,
  mailer: Mailer | null,
  { actor, organizationId, about, mail }: { actor: Actor; organizationId: string; about: { type: string; id: string }; mail: Mail },
): Promise<boolean> {
  if (!mailer) return false;
  const sent = await mailer(mail);
  await recordAuditEvent(prisma, {
    actor,
    action: 'mail.send',
    target: about,
    organizationId,
    outcome: sent ? 'SUCCESS' : 'FAILURE',
    details: { to: mail.to, subject: mail.subject },
  });
  return sent;
}
