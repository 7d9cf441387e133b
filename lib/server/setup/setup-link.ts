import 'server-only';
import { ZLinkToken } from '@/lib/schemas/accounts';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { createLink, findUsableLink, linkUrl } from '@/lib/server/auth/one-time-links';
import type { PrismaClient } from '@/prisma/generated/client';

/**
 * On a start with no organization in the database: a new setup link (single use, 24 hours) for the
 * person who started the server; null once the installation is set up. Each start makes a new one;
 * the older ones keep working until they expire, since another instance may have printed them.
 */
export async function offerSetupLink(prisma: PrismaClient, { baseUrl }: { baseUrl: string }): Promise<string | null> {
  if (await isSetUp(prisma)) return null;
  return prisma.$transaction(async (tx) => {
    const { token, link } = await createLink(tx, { purpose: 'SETUP' });
    await appendAuditEvent(tx, { actor: SYSTEM_ACTOR, action: 'setup.link_issued', target: { type: 'OneTimeLink', id: link.id }, outcome: 'SUCCESS' });
    return linkUrl(baseUrl, '/setup', token);
  });
}

/** Whether the installation has its organization (before that, nobody can sign in). */
export async function isSetUp(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.organization.count()) > 0;
}

/** What the setup page shows for a token: the form, a refusal, or nothing at all once set up. */
export async function setupPageState(prisma: PrismaClient, token: string | undefined): Promise<'done' | 'refused' | 'ready'> {
  if (await isSetUp(prisma)) return 'done';
  const parsed = ZLinkToken.safeParse(token);
  if (!parsed.success) return 'refused';
  return (await findUsableLink(prisma, 'SETUP', parsed.data)) ? 'ready' : 'refused';
}
