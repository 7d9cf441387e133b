import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approveChangeRequest } from '@/lib/server/approvals/approve-change-request';
import { submitCredentialChange } from '@/lib/server/approvals/submit-credential-change';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { smtpMailer } from '@/lib/server/mail/mailer';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { adminTwoFactor } from '@/lib/server/step-up/admin-two-factor';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { acceptInvitation } from '@/lib/server/users/accept-invitation';
import { changeRole } from '@/lib/server/users/change-role';
import { inviteUser } from '@/lib/server/users/invite-user';
import { issuePasswordReset } from '@/lib/server/users/issue-password-reset';
import { resendInvitation } from '@/lib/server/users/resend-invitation';

// The red team's paths around four-eyes approval, each walked by one administrator who wants to
// approve their own production change: a second account of their own (invited or promoted), or the
// real second administrator's account taken over by a reset. None may end in an approval.
const BASE = 'https://vault.example.com';
const request = { ip: '127.0.0.1', userAgent: 'vitest' };

describe.each(testDatabaseKinds())('one administrator cannot be both pairs of eyes, on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  let amira: Actor;
  let bilal: Actor;
  const mails: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => (mails.push(data), done()));
    },
  });
  let mailer: ReturnType<typeof smtpMailer>;

  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    mailer = smtpMailer({ url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, from: 'Strongroom <vault@acme.example>' });
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'two-people-password' });
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { country: 'AE' } });
    [organizationId, legalEntityId] = [entity.organizationId, entity.id];
    const actorOf = async (email: string): Promise<Actor> => {
      const user = await db.prisma.user.findUniqueOrThrow({ where: { email } });
      return { type: 'USER', id: user.id, label: user.email, ...request };
    };
    [amira, bilal] = [await actorOf('admin@demo.example'), await actorOf('approver@demo.example')];
  });
  afterAll(async () => {
    await db.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });
  beforeEach(() => void (mails.length = 0));

  /** Amira's request to create a production credential: what she wants approved. */
  const productionRequest = async () => {
    const made = await submitCredentialChange(services, {
      actor: amira,
      organizationId,
      change: { kind: 'CREATE', input: { legalEntityId, profile: 'api-key', environment: 'PRODUCTION', label: `prod ${randomBytes(4).toString('hex')}`, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: randomBytes(16).toString('hex') } } },
    });
    if (!made.ok || made.data.applied) throw new Error('expected a change request');
    return made.data.requestId;
  };
  const joinAs = async (url: string, name: string): Promise<Actor> => {
    const joined = await acceptInvitation(db, { token: new URL(url).searchParams.get('token')!, name, password: 'puppet passphrase 1', request });
    if (!joined.ok) throw new Error(joined.error.message);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: joined.data.email } });
    return { type: 'USER', id: user.id, label: user.email, ...request };
  };

  it('an administrator invitation is a request: no link to use until another administrator approves, and then it is theirs', async () => {
    const invited = await inviteUser(db, { actor: amira, organizationId, email: 'puppet@amira.example', role: 'ADMIN', baseUrl: BASE, mailer });
    expect(invited).toMatchObject({ ok: true, data: { requested: true, approvers: 1 } });
    expect(await db.prisma.oneTimeLink.count({ where: { email: 'puppet@amira.example' } })).toBe(0);
    expect(mails).toEqual([]); // no invitation went out; Bilal is told there is something to approve
    expect(await db.prisma.notification.count({ where: { organizationId, event: 'change_request.created' } })).toBeGreaterThan(0);
    // A second try while it waits is refused; a viewer invitation needs nobody.
    expect(await inviteUser(db, { actor: amira, organizationId, email: 'puppet@amira.example', role: 'ADMIN', baseUrl: BASE, mailer: null })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await inviteUser(db, { actor: amira, organizationId, email: 'viewer2@amira.example', role: 'VIEWER', baseUrl: BASE, mailer: null })).toMatchObject({ ok: true, data: { url: expect.any(String) } });

    const pending = await db.prisma.changeRequest.findFirstOrThrow({ where: { organizationId, kind: 'ADMIN_GRANT', status: 'PENDING' } });
    expect(await approveChangeRequest(services, { actor: amira, organizationId, input: { requestId: pending.id }, links: { baseUrl: BASE, mailer: null } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const approved = await approveChangeRequest(services, { actor: bilal, organizationId, input: { requestId: pending.id }, links: { baseUrl: BASE, mailer: null } });
    expect(approved).toMatchObject({ ok: true, data: { credentialId: null, invitation: { email: 'puppet@amira.example', url: expect.stringContaining('/invite?token=') } } });
    const link = await db.prisma.oneTimeLink.findFirstOrThrow({ where: { email: 'puppet@amira.example', usedAt: null, cancelledAt: null } });
    expect(link).toMatchObject({ role: 'ADMIN', createdById: bilal.id });
    // The requester cannot get a link of their own by resending it.
    expect(await resendInvitation(db, { actor: amira, organizationId, inviteId: link.id, baseUrl: BASE, mailer: null })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('a promotion to administrator is a request; the promoted administrator cannot approve what was asked before', async () => {
    const earlier = await productionRequest();
    const operator = await db.prisma.user.findFirstOrThrow({ where: { organizationId, role: 'OPERATOR' } });
    expect(await changeRole(db, { actor: amira, organizationId, userId: operator.id, role: 'ADMIN' })).toMatchObject({ ok: true, data: { requested: true } });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: operator.id } })).role).toBe('OPERATOR');
    const promotion = await db.prisma.changeRequest.findFirstOrThrow({ where: { organizationId, kind: 'ADMIN_GRANT', status: 'PENDING', payload: { path: ['userId'], equals: operator.id } } });
    expect(await approveChangeRequest(services, { actor: bilal, organizationId, input: { requestId: promotion.id } })).toEqual({ ok: true, data: { credentialId: null } });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: operator.id } })).role).toBe('ADMIN');
    const promoted: Actor = { type: 'USER', id: operator.id, label: operator.email, ...request };
    expect(await approveChangeRequest(services, { actor: promoted, organizationId, input: { requestId: earlier } })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/became an administrator after this request was made/) },
    });
    expect(await db.prisma.changeRequest.findUniqueOrThrow({ where: { id: earlier } })).toMatchObject({ status: 'PENDING' });
    // Back to operator, for the tests after this one.
    await db.prisma.user.update({ where: { id: operator.id }, data: { role: 'OPERATOR' } });
  });

  it('the second administrator’s account cannot be taken over to approve: their reset link is mailed to them only, and a reset second factor does not count', async () => {
    const earlier = await productionRequest();
    expect(await issuePasswordReset(db, { actor: amira, organizationId, userId: bilal.id!, baseUrl: BASE, mailer: null })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringMatching(/only to their own mailbox/) } });
    const reset = await issuePasswordReset(db, { actor: amira, organizationId, userId: bilal.id!, baseUrl: BASE, mailer });
    expect(reset).toMatchObject({ ok: true, data: { mailedOnly: true } });
    expect(JSON.stringify(reset)).not.toContain('token=');
    expect(mails.some((mail) => /^To: approver@demo\.example/m.test(mail) && mail.includes('reset-password?token='))).toBe(true);

    expect(await adminTwoFactor(services, { actor: amira, organizationId, userId: bilal.id!, act: 'reset' })).toEqual({ ok: true, data: null });
    expect(await approveChangeRequest(services, { actor: bilal, organizationId, input: { requestId: earlier } })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/password or two-factor was reset after this request was made/) },
    });
    // A request made after the reset is Bilal's to approve again.
    const later = await productionRequest();
    expect(await approveChangeRequest(services, { actor: bilal, organizationId, input: { requestId: later } })).toMatchObject({ ok: true });
  });

  it('a lone administrator who asked first cannot invite a second account and approve with it', async () => {
    await db.prisma.user.update({ where: { id: bilal.id! }, data: { disabledAt: new Date() } });
    try {
      const earlier = await productionRequest();
      // Alone, an administrator's invitation goes out at once: nobody else could approve it.
      const invited = await inviteUser(db, { actor: amira, organizationId, email: 'second-self@amira.example', role: 'ADMIN', baseUrl: BASE, mailer: null });
      if (!invited.ok || !('url' in invited.data)) throw new Error('expected a link');
      const puppet = await joinAs(invited.data.url, 'Second Self');
      expect(await approveChangeRequest(services, { actor: puppet, organizationId, input: { requestId: earlier } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await db.prisma.changeRequest.findUniqueOrThrow({ where: { id: earlier } })).toMatchObject({ status: 'PENDING', credentialId: null });
    } finally {
      await db.prisma.user.update({ where: { id: bilal.id! }, data: { disabledAt: null } });
    }
  });
});
