import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { verifyPassword } from '@/lib/server/auth/password';
import { startSession } from '@/lib/server/auth/sessions';
import { setClock } from '@/lib/server/clock';
import type { Database } from '@/lib/server/db/open-database';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { acceptInvitation, readInvitation } from '@/lib/server/users/accept-invitation';
import { cancelInvitation } from '@/lib/server/users/cancel-invitation';
import { changePassword } from '@/lib/server/users/change-password';
import { changeRole } from '@/lib/server/users/change-role';
import { endOtherSessions, listOtherSessions } from '@/lib/server/users/end-other-sessions';
import { inviteUser } from '@/lib/server/users/invite-user';
import { issuePasswordReset } from '@/lib/server/users/issue-password-reset';
import { listUsers } from '@/lib/server/users/list-users';
import { resendInvitation } from '@/lib/server/users/resend-invitation';
import { resetPassword } from '@/lib/server/users/reset-password';
import { setUserActive } from '@/lib/server/users/set-user-active';

const PASSWORD = 'users-test-password';
const NEW_PASSWORD = 'a brand new passphrase';
const BASE = 'https://vault.example.com';
const request = { ip: '192.0.2.9', userAgent: 'vitest' };
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

describe.each(testDatabaseKinds())('people on %s', (kind) => {
  let db: Database;
  let organizationId: string;
  let admin: { id: string; email: string };
  let actor: Actor;
  let restoreClock: (() => void) | undefined;
  const userOf = (role: 'OPERATOR' | 'VIEWER' | 'AUDITOR') => db.prisma.user.findFirstOrThrow({ where: { role: role, organizationId } });
  const lastEvent = (action: string) => db.prisma.auditEvent.findFirstOrThrow({ where: { action }, orderBy: { seq: 'desc' } });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db.prisma, { demoPassword: PASSWORD });
    const row = await db.prisma.user.findFirstOrThrow({ where: { email: 'admin@demo.example' } });
    organizationId = row.organizationId;
    admin = { id: row.id, email: row.email };
    actor = { type: 'USER', id: admin.id, label: admin.email, ...request };
  });
  afterAll(async () => db.close());
  afterEach(() => restoreClock?.());

  it('invites by email and role; the link joins once, with that address and role', async () => {
    const invited = await inviteUser(db, { actor, organizationId, email: 'olga@acme.example', role: 'OPERATOR', baseUrl: BASE, mailer: null });
    if (!invited.ok || 'requested' in invited.data) throw new Error('no invitation link');
    const token = tokenOf(invited.data.url);
    expect(await readInvitation(db, token)).toEqual({ email: 'olga@acme.example', role: 'OPERATOR', organizationName: 'Demo Holdings' });
    expect((await listUsers(db, { organizationId })).invitations).toMatchObject([{ email: 'olga@acme.example', role: 'OPERATOR', state: 'invited' }]);

    expect(await acceptInvitation(db, { token, name: 'Olga', password: NEW_PASSWORD, request })).toEqual({ ok: true, data: { email: 'olga@acme.example', role: 'OPERATOR' } });
    const olga = await db.prisma.user.findUniqueOrThrow({ where: { email: 'olga@acme.example' } });
    expect([olga.role, olga.organizationId, await verifyPassword(NEW_PASSWORD, olga.passwordHash)]).toEqual(['OPERATOR', organizationId, true]);
    expect((await lastEvent('user.join')).details).toMatchObject({ role: 'OPERATOR', invitedBy: admin.id });
    // Reused: refused, audited, nothing more created.
    expect(await acceptInvitation(db, { token, name: 'Mallory', password: NEW_PASSWORD, request })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await readInvitation(db, token)).toBeNull();
    expect(await db.prisma.user.count({ where: { email: 'olga@acme.example' } })).toBe(1);
    expect(await lastEvent('user.join')).toMatchObject({ outcome: 'DENIED', ip: '192.0.2.9' });
    // An address with an account, or with an open invitation, is refused with a reason.
    expect(await inviteUser(db, { actor, organizationId, email: 'olga@acme.example', role: 'ADMIN', baseUrl: BASE, mailer: null })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', fieldErrors: { email: ['olga@acme.example already has an account.'] } },
    });
  });

  it('an invitation ends with its issuer’s authority: deactivated or demoted, in the same transaction; a late acceptance is refused', async () => {
    const makeAdmin = async (name: string) => {
      const user = await db.prisma.user.create({ data: { organizationId, email: `${name}@acme.example`, name, role: 'ADMIN', passwordHash: 'x' } });
      return { user, actor: { type: 'USER' as const, id: user.id, label: user.email, ...request } };
    };
    const inviteBy = async (issuer: Actor, email: string) => {
      const invited = await inviteUser(db, { actor: issuer, organizationId, email, role: 'OPERATOR', baseUrl: BASE, mailer: null });
      if (!invited.ok || 'requested' in invited.data) throw new Error('no invitation link');
      return tokenOf(invited.data.url);
    };
    const deactivated = await makeAdmin('issuer-one');
    const first = await inviteBy(deactivated.actor, 'puppet-one@acme.example');
    expect(await setUserActive(db, { actor, organizationId, userId: deactivated.user.id, active: false })).toEqual({ ok: true, data: null });
    expect((await lastEvent('user.deactivate')).details).toMatchObject({ invitationsCancelled: 1 });
    expect(await readInvitation(db, first)).toBeNull();
    expect(await acceptInvitation(db, { token: first, name: 'Puppet', password: NEW_PASSWORD, request })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const demoted = await makeAdmin('issuer-two');
    const second = await inviteBy(demoted.actor, 'puppet-two@acme.example');
    expect(await changeRole(db, { actor, organizationId, userId: demoted.user.id, role: 'OPERATOR' })).toEqual({ ok: true, data: null });
    expect((await lastEvent('user.role_change')).details).toMatchObject({ from: 'ADMIN', to: 'OPERATOR', invitationsCancelled: 1 });
    expect(await acceptInvitation(db, { token: second, name: 'Puppet', password: NEW_PASSWORD, request })).toMatchObject({ ok: false });

    // A race: the issuer stopped being an administrator between the link check and the acceptance.
    const raced = await makeAdmin('issuer-three');
    const third = await inviteBy(raced.actor, 'puppet-three@acme.example');
    await db.prisma.user.update({ where: { id: raced.user.id }, data: { disabledAt: new Date() } });
    expect(await acceptInvitation(db, { token: third, name: 'Puppet', password: NEW_PASSWORD, request })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await db.prisma.user.count({ where: { email: { startsWith: 'puppet-' } } })).toBe(0);
  });

  it('inviting an address that has an account in another organization says nothing of it to the inviter', async () => {
    const other = await db.prisma.organization.create({ data: { name: 'Elsewhere Ltd', slug: 'elsewhere' } });
    await db.prisma.user.create({ data: { organizationId: other.id, email: 'someone@elsewhere.example', name: 'Someone', role: 'VIEWER', passwordHash: 'x' } });
    const invited = await inviteUser(db, { actor, organizationId, email: 'someone@elsewhere.example', role: 'VIEWER', baseUrl: BASE, mailer: null });
    expect(invited.ok).toBe(true);
    // The holder of the address learns it when they open the link: their account is elsewhere.
    if (invited.ok && 'url' in invited.data) expect(await acceptInvitation(db, { token: tokenOf(invited.data.url), name: 'Someone', password: NEW_PASSWORD, request })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('an invitation expires after 7 days; resend gives a new link and kills the old one; cancel kills it', async () => {
    const first = await inviteUser(db, { actor, organizationId, email: 'pat@acme.example', role: 'VIEWER', baseUrl: BASE, mailer: null });
    if (!first.ok || 'requested' in first.data) throw new Error('no invitation link');
    expect(await inviteUser(db, { actor, organizationId, email: 'pat@acme.example', role: 'VIEWER', baseUrl: BASE, mailer: null })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const start = Date.now();
    restoreClock = setClock(() => start + 7 * 24 * 3600_000 + 1000);
    expect(await readInvitation(db, tokenOf(first.data.url))).toBeNull();
    const invite = (await listUsers(db, { organizationId })).invitations.find((i) => i.email === 'pat@acme.example')!;
    expect(invite.state).toBe('expired');
    const resent = await resendInvitation(db, { actor, organizationId, inviteId: invite.id, baseUrl: BASE, mailer: null });
    if (!resent.ok) throw new Error(resent.error.message);
    restoreClock();
    expect(await readInvitation(db, tokenOf(first.data.url))).toBeNull();
    expect(await readInvitation(db, tokenOf(resent.data.url))).toMatchObject({ email: 'pat@acme.example' });

    const newest = (await listUsers(db, { organizationId })).invitations.find((i) => i.email === 'pat@acme.example')!;
    expect(await cancelInvitation(db, { actor, organizationId, inviteId: newest.id })).toEqual({ ok: true, data: null });
    expect(await acceptInvitation(db, { token: tokenOf(resent.data.url), name: 'Pat', password: NEW_PASSWORD, request })).toMatchObject({ ok: false });
    expect(await cancelInvitation(db, { actor, organizationId, inviteId: newest.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('changes roles, never one’s own, never leaving the organization without an active administrator', async () => {
    const viewer = await userOf('VIEWER');
    // The demo's second administrator steps aside, so the first is the only one.
    const approver = await db.prisma.user.findUniqueOrThrow({ where: { email: 'approver@demo.example' } });
    expect(await changeRole(db, { actor, organizationId, userId: approver.id, role: 'OPERATOR' })).toEqual({ ok: true, data: null });
    expect(await changeRole(db, { actor, organizationId, userId: admin.id, role: 'VIEWER' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // The only admin, demoted by someone else (an admin of the same organization is the only one who could): refused.
    const other: Actor = { type: 'USER', id: viewer.id, label: viewer.email };
    expect(await changeRole(db, { actor: other, organizationId, userId: admin.id, role: 'VIEWER' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringMatching(/only active administrator/) },
    });
    expect(await changeRole(db, { actor, organizationId, userId: viewer.id, role: 'ADMIN' })).toEqual({ ok: true, data: null });
    expect((await lastEvent('user.role_change')).details).toEqual({ from: 'VIEWER', to: 'ADMIN' });
    // With two admins, one may be demoted; then the other is the last again.
    expect(await changeRole(db, { actor: other, organizationId, userId: admin.id, role: 'AUDITOR' })).toEqual({ ok: true, data: null });
    expect(await setUserActive(db, { actor, organizationId, userId: viewer.id, active: false })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await changeRole(db, { actor: other, organizationId, userId: admin.id, role: 'ADMIN' })).toEqual({ ok: true, data: null });
    expect(await changeRole(db, { actor, organizationId, userId: viewer.id, role: 'VIEWER' })).toEqual({ ok: true, data: null });
    expect(await changeRole(db, { actor, organizationId, userId: randomUUID(), role: 'VIEWER' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await changeRole(db, { actor, organizationId, userId: approver.id, role: 'ADMIN' })).toEqual({ ok: true, data: null });
  });

  it('deactivation ends the user’s sessions, grants and reset links; reactivation lets them sign in again', async () => {
    const operator = await userOf('OPERATOR');
    const sessionId = randomUUID();
    await startSession(db.prisma, { id: sessionId, userId: operator.id, maxAgeSeconds: 3600 });
    await db.prisma.stepUpGrant.create({ data: { userId: operator.id, sessionId, purpose: 'credentials', expiresAt: new Date(Date.now() + 60_000) } });
    const reset = await issuePasswordReset(db, { actor, organizationId, userId: operator.id, baseUrl: BASE, mailer: null });
    if (!reset.ok || 'mailedOnly' in reset.data) throw new Error('no link');

    expect(await setUserActive(db, { actor, organizationId, userId: admin.id, active: false })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await setUserActive(db, { actor, organizationId, userId: operator.id, active: false })).toEqual({ ok: true, data: null });
    expect((await db.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).endedAt).not.toBeNull();
    expect(await db.prisma.stepUpGrant.count({ where: { userId: operator.id } })).toBe(0);
    expect(await resetPassword(db, { token: tokenOf(reset.data.url), password: NEW_PASSWORD, request })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await listUsers(db, { organizationId })).users.find((u) => u.id === operator.id)?.state).toBe('deactivated');
    expect(await issuePasswordReset(db, { actor, organizationId, userId: operator.id, baseUrl: BASE, mailer: null })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });

    expect(await setUserActive(db, { actor, organizationId, userId: operator.id, active: true })).toEqual({ ok: true, data: null });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: operator.id } })).disabledAt).toBeNull();
  });

  it('a reset link sets a new password once and signs the account out everywhere', async () => {
    const auditor = await userOf('AUDITOR');
    const sessionId = randomUUID();
    await startSession(db.prisma, { id: sessionId, userId: auditor.id, maxAgeSeconds: 3600 });
    expect(await issuePasswordReset(db, { actor, organizationId, userId: admin.id, baseUrl: BASE, mailer: null })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const older = await issuePasswordReset(db, { actor, organizationId, userId: auditor.id, baseUrl: BASE, mailer: null });
    const reset = await issuePasswordReset(db, { actor, organizationId, userId: auditor.id, baseUrl: BASE, mailer: null });
    if (!older.ok || !reset.ok || 'mailedOnly' in older.data || 'mailedOnly' in reset.data) throw new Error('no link');
    expect(await resetPassword(db, { token: tokenOf(older.data.url), password: NEW_PASSWORD, request })).toMatchObject({ ok: false }); // replaced
    expect(await resetPassword(db, { token: tokenOf(reset.data.url), password: NEW_PASSWORD, request })).toEqual({ ok: true, data: { email: auditor.email } });
    expect(await verifyPassword(NEW_PASSWORD, (await db.prisma.user.findUniqueOrThrow({ where: { id: auditor.id } })).passwordHash)).toBe(true);
    expect((await db.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).endedAt).not.toBeNull();
    expect(await resetPassword(db, { token: tokenOf(reset.data.url), password: 'yet another passphrase', request })).toMatchObject({ ok: false });
  });

  it('one’s own password needs the current one; the other sessions end, this one stays', async () => {
    const here = randomUUID();
    const elsewhere = randomUUID();
    await startSession(db.prisma, { id: here, userId: admin.id, maxAgeSeconds: 3600 });
    await startSession(db.prisma, { id: elsewhere, userId: admin.id, maxAgeSeconds: 3600 });
    const user = { ...admin, organizationId, sessionId: here };
    expect(await listOtherSessions(db, { userId: admin.id, sessionId: here })).toHaveLength(1);
    expect(await changePassword(db, { user, currentPassword: 'wrong', password: NEW_PASSWORD, actor })).toMatchObject({
      ok: false,
      error: { fieldErrors: { currentPassword: ['That password is not right.'] } },
    });
    expect(await changePassword(db, { user, currentPassword: PASSWORD, password: NEW_PASSWORD, actor })).toEqual({ ok: true, data: { sessionsEnded: 1 } });
    const sessions = await db.prisma.session.findMany({ where: { id: { in: [here, elsewhere] } } });
    expect(Object.fromEntries(sessions.map((s) => [s.id === here ? 'here' : 'elsewhere', s.endedAt !== null]))).toEqual({ here: false, elsewhere: true });
    await startSession(db.prisma, { id: randomUUID(), userId: admin.id, maxAgeSeconds: 3600 });
    expect(await endOtherSessions(db, { user, actor })).toBe(1);
    expect(await listOtherSessions(db, { userId: admin.id, sessionId: here })).toHaveLength(0);
  });
});
