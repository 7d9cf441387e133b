import 'server-only';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { findUsableLink, useLink } from '@/lib/server/auth/one-time-links';
import { hashPassword } from '@/lib/server/auth/password';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { createFirstOrganization } from '@/lib/server/setup/create-organization';
import { isSetUp } from '@/lib/server/setup/setup-link';
import type { z } from 'zod';
import type { ZSetup } from '@/lib/schemas/accounts';

/**
 * The setup page's work: with a usable setup link, creates the organization and its first
 * administrator, and uses up the link, in one transaction. A refused attempt changes nothing and is
 * audited (the installation's chain, since there is no organization yet).
 */
export async function completeSetup(
  { prisma }: Pick<Services, 'prisma'>,
  input: z.output<typeof ZSetup>,
  request: Pick<Actor, 'ip' | 'userAgent'>,
): Promise<Result<{ email: string }>> {
  const refuse = async (reason: 'already_set_up' | 'link_refused') => {
    await recordAuditEvent(prisma, { actor: { type: 'ANONYMOUS', label: input.email, ...request }, action: 'setup.completed', outcome: 'DENIED', details: { reason } });
    return reason === 'already_set_up'
      ? fail('INVALID_STATE', 'This installation is already set up. Sign in, or ask an administrator for an invitation.')
      : fail('FORBIDDEN', 'This setup link is not valid: it is used, expired or mistyped. Restart the server for a new one; it prints it to its log.');
  };
  // Cheap checks first, so a forged link costs no password hash; the transaction checks both again.
  if (await isSetUp(prisma)) return refuse('already_set_up');
  if (!(await findUsableLink(prisma, 'SETUP', input.token))) return refuse('link_refused');
  const passwordHash = await hashPassword(input.password);
  const outcome = await prisma
    .$transaction(async (tx) => {
      const created = await createFirstOrganization(tx, { organizationName: input.organizationName, name: input.name, email: input.email, passwordHash });
      if (!created) return 'already_set_up' as const;
      const link = await useLink(tx, 'SETUP', input.token);
      if (!link) throw new LinkRefused();
      const actor: Actor = { type: 'USER', id: created.admin.id, label: created.admin.email, ...request };
      await appendAuditEvent(tx, {
        actor,
        action: 'setup.completed',
        target: { type: 'Organization', id: created.organization.id },
        organizationId: created.organization.id,
        outcome: 'SUCCESS',
        details: { link: link.id },
      });
      return 'created' as const;
    })
    .catch((error: unknown) => {
      if (error instanceof LinkRefused) return 'link_refused' as const;
      throw error;
    });
  return outcome === 'created' ? ok({ email: input.email }) : refuse(outcome);
}

/** Rolls the transaction back (the organization it created goes with it) when the link is not usable. */
class LinkRefused extends Error {}
