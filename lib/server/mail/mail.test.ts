import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Database } from '@/lib/server/db/open-database';
import { parseEnv } from '@/lib/server/env';
import { smtpMailer } from '@/lib/server/mail/mailer';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { openTestDatabase } from '@/lib/server/test-support/test-database';
import { acceptInvitation } from '@/lib/server/users/accept-invitation';
import { inviteUser } from '@/lib/server/users/invite-user';
import { issuePasswordReset } from '@/lib/server/users/issue-password-reset';

// A real SMTP server (smtp-server, from nodemailer's authors) on loopback receives what Strongroom sends.
describe('invitation and reset mail', () => {
  const received: { to: string[]; data: string }[] = [];
  let refuse = false;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        if (refuse) return done(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        done();
      });
    },
  });
  let db: Database;
  let url: string;
  let organizationId: string;
  let actor: Actor;
  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    db = await openTestDatabase('pglite');
    await seedDemo(db.prisma, { demoPassword: 'mail-test-password' });
    const admin = await db.prisma.user.findFirstOrThrow({ where: { email: 'admin@demo.example' } });
    organizationId = admin.organizationId;
    actor = { type: 'USER', id: admin.id, label: admin.email };
  });
  afterAll(async () => {
    await db.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('mails the invitation link to the invited address; the mailed link is the one that works', async () => {
    const mailer = smtpMailer({ url, from: 'Strongroom <vault@acme.example>' });
    const invited = await inviteUser(db, { actor, organizationId, email: 'mia@acme.example', role: 'VIEWER', baseUrl: 'https://vault.acme.example', mailer });
    if (!invited.ok || 'requested' in invited.data) throw new Error('no invitation link');
    expect(invited.data.mailed).toBe(true);
    const [mail] = received.splice(0);
    expect(mail!.to).toEqual(['mia@acme.example']);
    expect(mail!.data).toMatch(/^Subject: Your invitation to Demo Holdings on Strongroom/m);
    expect(mail!.data).toMatch(/^From: Strongroom <vault@acme\.example>/m);
    const link = /https:\/\/vault\.acme\.example\/invite\?token=[A-Za-z0-9_-]{43}/.exec(mail!.data.replace(/=\r?\n/g, '').replace(/=3D/g, '='))![0];
    expect(link).toBe(invited.data.url);
    const token = new URL(link).searchParams.get('token')!;
    expect(await acceptInvitation(db, { token, name: 'Mia', password: 'a long enough passphrase', request: {} })).toMatchObject({ ok: true });
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'mail.send' }, orderBy: { seq: 'desc' } });
    expect([audit.outcome, audit.details]).toEqual(['SUCCESS', { to: 'mia@acme.example', subject: 'Your invitation to Demo Holdings on Strongroom' }]);
    expect(JSON.stringify({ ...audit, seq: String(audit.seq), number: String(audit.number) })).not.toContain(token);
  });

  it('a refused mail still leaves the link to pass on, and the failure is audited', async () => {
    refuse = true;
    const mailer = smtpMailer({ url, from: 'vault@acme.example' });
    const operator = await db.prisma.user.findFirstOrThrow({ where: { role: 'OPERATOR' } });
    const reset = await issuePasswordReset(db, { actor, organizationId, userId: operator.id, baseUrl: 'https://vault.acme.example', mailer });
    refuse = false;
    expect(reset).toMatchObject({ ok: true, data: { mailed: false, url: expect.stringContaining('/reset-password?token=') } });
    expect(await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'mail.send' }, orderBy: { seq: 'desc' } })).toMatchObject({ outcome: 'FAILURE' });
  });

  it('needs a sender when mail is configured', () => {
    expect(() => parseEnv({ SMTP_URL: 'smtp://127.0.0.1:25' })).toThrow(/SMTP_FROM must be set/);
    expect(() => parseEnv({ SMTP_URL: 'http://mail.example', SMTP_FROM: 'x@y.z' })).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(parseEnv({ SMTP_URL: 'smtps://u:p@mail.example:465', SMTP_FROM: 'Strongroom <vault@example.com>' }).SMTP_URL).toBe('smtps://u:p@mail.example:465');
  });
});
