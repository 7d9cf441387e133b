import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { approveChangeRequest } from '@/lib/server/approvals/approve-change-request';
import { listChangeRequests } from '@/lib/server/approvals/list-change-requests';
import { rejectChangeRequest } from '@/lib/server/approvals/reject-change-request';
import { submitCredentialChange, type CredentialChange } from '@/lib/server/approvals/submit-credential-change';
import { setApprovalPolicy } from '@/lib/server/approvals/approval-policy';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import { verifyAllAuditChains } from '@/lib/server/audit/verify-audit-chain';
import { listAuditEvents } from '@/lib/server/audit/list-audit-events';
import { setClock } from '@/lib/server/clock';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import { promotePendingVersion } from '@/lib/server/credentials/promote-pending-version';
import { testPendingVersion } from '@/lib/server/credentials/test-pending-version';
import { makeKeyring } from '@/lib/server/crypto/keyring';
import type { Database } from '@/lib/server/db/open-database';
import { housekeeping } from '@/lib/server/jobs/housekeeping';
import { resealOrganization } from '@/lib/server/crypto/reseal-organization';
import { purgeDeletedCredentials } from '@/lib/server/credentials/purge-deleted-credentials';
import type { OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import type { Services } from '@/lib/server/services';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';
import { startRotatingOidcProvider } from '@/lib/server/test-support/test-servers';
import { getAccessToken } from '@/lib/server/tokens/get-access-token';
import { forgetAccessToken } from '@/lib/server/tokens/token-memory';

// Four-eyes approval and staged rotation, through the operations the server actions call, on
// PGlite and PostgreSQL. The demo organization is new, so its policy is on; it has two admins.
const policy: OutboundPolicy = { allowLoopback: true, allowPrivate: false, timeoutMs: 2_000, maxBytes: 64 * 1024 };

describe.each(testDatabaseKinds())('governance on %s', (kind) => {
  let db: Database;
  let services: Services;
  let organizationId: string;
  let legalEntityId: string;
  let requester: Actor;
  let approver: Actor;
  let clock = Date.now();
  let restoreClock: (() => void) | null = null;
  const useClock = () => (restoreClock = setClock(() => clock));
  afterEach(() => {
    restoreClock?.();
    restoreClock = null;
  });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    services = { prisma: db.prisma, keyring: makeKeyring(randomBytes(32)) };
    await seedDemo(db.prisma, { demoPassword: 'unused-in-these-tests' });
    const entity = await db.prisma.legalEntity.findFirstOrThrow({ where: { country: 'AE' } });
    organizationId = entity.organizationId;
    legalEntityId = entity.id;
    const amira = await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@demo.example' } });
    const bilal = await db.prisma.user.findUniqueOrThrow({ where: { email: 'approver@demo.example' } });
    requester = { type: 'USER', id: amira.id, label: amira.email, ip: '127.0.0.1' };
    approver = { type: 'USER', id: bilal.id, label: bilal.email, ip: '127.0.0.1' };
  });
  afterAll(async () => {
    expect((await verifyAllAuditChains(db.prisma, new Map())).filter((report) => !report.ok)).toEqual([]);
    await db.close();
  });

  const canary = () => `canary-${randomBytes(12).toString('hex')}`;
  const submit = async (change: CredentialChange, actor = requester) => {
    const result = await submitCredentialChange(services, { actor, organizationId, change });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.data;
  };
  const apiKey = (label: string, environment: 'PRODUCTION' | 'SANDBOX', key = canary()) => ({
    legalEntityId,
    profile: 'api-key' as const,
    environment,
    label,
    values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: key },
  });
  const opened = async (credentialId: string, field: string) => {
    const result = await openCredentialForUse(services, { actor: { type: 'SYSTEM' }, credentialId, fields: [field], purpose: 'test' });
    return result.ok ? result.data.secrets[field] : null;
  };
  const everything = async () =>
    JSON.stringify(await Promise.all([db.prisma.changeRequest.findMany(), db.prisma.secretVersion.findMany(), db.prisma.sealedSecret.findMany(), db.prisma.auditEvent.findMany(), db.prisma.notification.findMany()]), (_, v) =>
      typeof v === 'bigint' ? String(v) : v,
    );
  /** A production credential that exists (created through an approved request). */
  const productionKey = async (key = canary()) => {
    const made = await submit({ kind: 'CREATE', input: apiKey(`prod ${randomBytes(4).toString('hex')}`, 'PRODUCTION', key) });
    if (made.applied) throw new Error('expected a request');
    const approved = await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: made.requestId } });
    if (!approved.ok || !approved.data.credentialId) throw new Error(JSON.stringify(approved));
    return approved.data.credentialId;
  };

  it('a production change becomes a request: values sealed to it, only fingerprints shown, nothing applied until another admin approves', async () => {
    const oldKey = canary();
    const id = await productionKey(oldKey);
    const before = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    const newKey = canary();
    const made = await submit({ kind: 'UPDATE', input: { credentialId: id, version: before.version, label: before.label, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: newKey } } });
    expect(made).toMatchObject({ applied: false, credentialId: id, message: expect.stringMatching(/another administrator must approve/) });
    if (made.applied) return;

    // Nothing changed yet; the new value is sealed under the request, and appears nowhere in clear.
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ version: before.version });
    expect(await opened(id, 'apiKey')).toBe(oldKey);
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'ChangeRequest', ownerId: made.requestId } })).toBe(1);
    const request = await db.prisma.changeRequest.findUniqueOrThrow({ where: { id: made.requestId } });
    const [line] = (request.summary as { secrets: { field: string; from: string; to: string }[] }).secrets;
    expect(line).toMatchObject({ field: 'apiKey', from: expect.stringMatching(/^[0-9a-f]{8}$/), to: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(line!.from).not.toBe(line!.to);
    expect(await everything()).not.toContain(newKey);
    // The other administrator is told by mail; the requester is not.
    const told = await db.prisma.notification.findFirstOrThrow({ where: { dedupeKey: `change_request.created:${made.requestId}` }, include: { deliveries: true } });
    expect(told.deliveries.map((d) => d.recipient)).toEqual(['approver@demo.example']);

    // The requester cannot approve their own request: refused and audited, nothing changed.
    expect(await approveChangeRequest(services, { actor: requester, organizationId, input: { requestId: made.requestId } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await db.prisma.auditEvent.findFirst({ where: { action: 'change_request.approve', outcome: 'DENIED', actorId: requester.id }, orderBy: { seq: 'desc' } })).not.toBeNull();
    expect(await opened(id, 'apiKey')).toBe(oldKey);

    // Another administrator approves: applied in one go, both people in the trail.
    expect(await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: made.requestId } })).toEqual({ ok: true, data: { credentialId: id } });
    expect(await opened(id, 'apiKey')).toBe(newKey);
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ version: before.version + 1 });
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'ChangeRequest', ownerId: made.requestId } })).toBe(0);
    const change = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'credential.update', targetId: id }, orderBy: { seq: 'desc' } });
    expect(change).toMatchObject({ actorId: approver.id, details: { changeRequest: made.requestId, requestedBy: 'admin@demo.example' } });
    const versions = await db.prisma.secretVersion.findMany({ where: { credentialId: id }, orderBy: { number: 'asc' } });
    expect(versions.map((v) => [v.number, v.state, v.setBy, v.approvedBy])).toEqual([
      [1, 'PREVIOUS', 'admin@demo.example', 'approver@demo.example'],
      [2, 'CURRENT', 'admin@demo.example', 'approver@demo.example'],
    ]);
    const decided = await db.prisma.notification.findFirstOrThrow({ where: { dedupeKey: `change_request.decided:${made.requestId}` }, include: { deliveries: true } });
    expect(decided.deliveries.map((d) => d.recipient)).toEqual(['admin@demo.example']);
  });

  it('the approver sees every setting old → new with a changed host marked, and a rollback as the versions it moves between', async () => {
    const id = await productionKey();
    const before = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    const made = await submit({
      kind: 'UPDATE',
      input: { credentialId: id, version: before.version, label: before.label, values: { baseUrl: 'https://collector.attacker.example/v1', headerName: 'X-API-Key', healthPath: '/ping' } },
    });
    if (made.applied) throw new Error('expected a request');
    const { pending } = await listChangeRequests(services, { organizationId, credentialId: id });
    const request = pending.find((r) => r.id === made.requestId)!;
    expect(request.summary.settings).toEqual([
      { field: 'baseUrl', from: 'https://api.example.com', to: 'https://collector.attacker.example/v1', host: { from: 'api.example.com', to: 'collector.attacker.example' } },
      { field: 'healthPath', from: null, to: '/ping' },
    ]);
    expect(request.summary.versions).toEqual({ current: { number: 1, fingerprints: { apiKey: expect.stringMatching(/^[0-9a-f]{8}$/) } } });
    await rejectChangeRequest(services, { actor: approver, organizationId, input: { requestId: made.requestId, reason: 'not our host' } });

    // A new key, approved: version 2 in use, version 1 previous. A rollback request names both.
    const rotated = await submit({ kind: 'UPDATE', input: { credentialId: id, version: before.version, label: before.label, values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: canary() } } });
    if (rotated.applied) throw new Error('expected a request');
    await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: rotated.requestId } });
    const now = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    const rollback = await submit({ kind: 'ROLLBACK', input: { credentialId: id, version: now.version } });
    if (rollback.applied) throw new Error('expected a request');
    const versions = await db.prisma.secretVersion.findMany({ where: { credentialId: id }, orderBy: { number: 'asc' } });
    const listed = (await listChangeRequests(services, { organizationId, credentialId: id })).pending.find((r) => r.id === rollback.requestId)!;
    expect(listed.summary.versions).toEqual({
      current: { number: 2, fingerprints: versions[1]!.fingerprints },
      previous: { number: 1, fingerprints: versions[0]!.fingerprints },
    });
    expect(versions[0]!.fingerprints).not.toEqual(versions[1]!.fingerprints);
  });

  it('two approvals of one request at once: exactly one applies', async () => {
    const id = await productionKey();
    const before = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    const made = await submit({ kind: 'REVOKE', input: { credentialId: id, version: before.version } });
    if (made.applied) throw new Error('expected a request');
    const results = await Promise.all([0, 1].map(() => approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: made.requestId } })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringMatching(/approved and applied/) } });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'REVOKED', version: before.version + 1 });
    expect(await db.prisma.auditEvent.count({ where: { action: 'credential.revoke', targetId: id, outcome: 'SUCCESS' } })).toBe(1);
  });

  it('a request the credential has moved past is refused as stale and says so; nothing is applied', async () => {
    const id = await productionKey();
    const before = await db.prisma.credential.findUniqueOrThrow({ where: { id } });
    const stale = await submit({ kind: 'DELETE', input: { credentialId: id, version: before.version } });
    const other = await submit({ kind: 'UPDATE', input: { credentialId: id, version: before.version, label: 'renamed', values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key' } } });
    if (stale.applied || other.applied) throw new Error('expected requests');
    expect(await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: other.requestId } })).toMatchObject({ ok: true });
    expect(await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: stale.requestId } })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringMatching(/changed after this request was made/) },
    });
    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ deletedAt: null, label: 'renamed', version: before.version + 1 });
    expect(await db.prisma.changeRequest.findUniqueOrThrow({ where: { id: stale.requestId } })).toMatchObject({ status: 'STALE', decidedBy: 'approver@demo.example' });
  });

  it('refuses to approve what is withdrawn, rejected, expired, deleted since or asked by a former administrator, each with its reason', async () => {
    useClock();
    const id = await productionKey();
    const version = (await db.prisma.credential.findUniqueOrThrow({ where: { id } })).version;
    const request = async () => {
      const made = await submit({ kind: 'REVOKE', input: { credentialId: id, version } });
      if (made.applied) throw new Error('expected a request');
      return made.requestId;
    };
    const approve = (requestId: string) => approveChangeRequest(services, { actor: approver, organizationId, input: { requestId } });

    const withdrawn = await request();
    expect(await rejectChangeRequest(services, { actor: approver, organizationId, input: { requestId: withdrawn }, withdraw: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await rejectChangeRequest(services, { actor: requester, organizationId, input: { requestId: withdrawn }, withdraw: true })).toEqual({ ok: true, data: null });
    expect(await approve(withdrawn)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/withdrawn/) } });

    const rejected = await request();
    expect(await rejectChangeRequest(services, { actor: approver, organizationId, input: { requestId: rejected, reason: '' } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await rejectChangeRequest(services, { actor: approver, organizationId, input: { requestId: rejected, reason: 'Wrong entity' } })).toEqual({ ok: true, data: null });
    expect(await approve(rejected)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/rejected/) } });

    const expired = await request();
    clock += 73 * 3_600_000;
    expect(await approve(expired)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/expired/) } });
    expect(await db.prisma.changeRequest.findUniqueOrThrow({ where: { id: expired } })).toMatchObject({ status: 'EXPIRED' });

    const afterDelete = await request();
    await db.prisma.credential.update({ where: { id }, data: { deletedAt: new Date(clock) } });
    expect(await approve(afterDelete)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/deleted after this request/) } });
    await db.prisma.credential.update({ where: { id }, data: { deletedAt: null } });

    // A request whose requester is no longer an administrator.
    const orphaned = await request();
    await db.prisma.user.update({ where: { id: requester.id! }, data: { role: 'AUDITOR' } });
    try {
      expect(await approve(orphaned)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no longer an active administrator/) } });
    } finally {
      await db.prisma.user.update({ where: { id: requester.id! }, data: { role: 'ADMIN' } });
    }

    expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE', version });
    // Housekeeping expires what nobody decided.
    const forgotten = await request();
    clock += 73 * 3_600_000;
    await housekeeping(services);
    expect(await db.prisma.changeRequest.findUniqueOrThrow({ where: { id: forgotten } })).toMatchObject({ status: 'EXPIRED' });
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'ChangeRequest' } })).toBe(0);
  });

  it('the only administrator is told a second one is needed; with the policy off, production changes apply at once', async () => {
    await db.prisma.user.update({ where: { id: approver.id! }, data: { disabledAt: new Date() } });
    try {
      const made = await submit({ kind: 'CREATE', input: apiKey('alone', 'PRODUCTION') });
      expect(made).toMatchObject({ applied: false, message: expect.stringMatching(/only administrator.*invite a second administrator/) });
    } finally {
      await db.prisma.user.update({ where: { id: approver.id! }, data: { disabledAt: null } });
    }
    expect(await setApprovalPolicy(services, { actor: requester, organizationId, input: { requireApproval: false, approvalHours: 0, rollbackDays: 7 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // With a second administrator, turning the policy off is a request that one approves.
    const off = await setApprovalPolicy(services, { actor: requester, organizationId, input: { requireApproval: false, approvalHours: 72, rollbackDays: 7 } });
    expect(off).toMatchObject({ ok: true, data: { requested: true, approvers: 1 } });
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: organizationId } })).requireApproval).toBe(true);
    const policyRequest = await db.prisma.changeRequest.findFirstOrThrow({ where: { organizationId, kind: 'APPROVAL_POLICY', status: 'PENDING' } });
    expect(await approveChangeRequest(services, { actor: requester, organizationId, input: { requestId: policyRequest.id } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: policyRequest.id } })).toEqual({ ok: true, data: { credentialId: null } });
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: organizationId } })).requireApproval).toBe(false);
    try {
      expect(await submit({ kind: 'CREATE', input: apiKey('direct', 'PRODUCTION') })).toMatchObject({ applied: true });
    } finally {
      await setApprovalPolicy(services, { actor: requester, organizationId, input: { requireApproval: true, approvalHours: 72, rollbackDays: 7 } });
    }
  });

  it('staged rotation: a pending version is tested, promoted and rolled back while tokens keep coming from the current secret', async () => {
    useClock();
    const [oldSecret, newSecret] = [canary(), canary()];
    const provider = await startRotatingOidcProvider({ clientId: 'erp', secrets: [oldSecret, newSecret] });
    try {
      const created = await submit({
        kind: 'CREATE',
        input: { legalEntityId, profile: 'oauth2-client-credentials', environment: 'SANDBOX', label: 'rotating', values: { tokenUrl: provider.tokenUrl, clientId: 'erp', clientSecret: oldSecret, clientAuth: 'client_secret_basic' } },
      });
      if (!created.applied) throw new Error('sandbox changes apply at once');
      const id = created.credentialId;
      const token = async () => {
        const result = await getAccessToken(services, { credentialId: id, actor: { type: 'SYSTEM' }, policy });
        if (!result.ok) throw new Error(result.error.message);
        return result.data.accessToken;
      };
      const version = async () => (await db.prisma.credential.findUniqueOrThrow({ where: { id } })).version;
      const current = await token();
      expect(provider.issued(0)).toBe(1);

      // Nothing to promote yet.
      expect(await promotePendingVersion(services, { actor: requester, organizationId, input: { credentialId: id, version: await version() } })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });

      // A wrong pending secret fails its test; the current token is still served.
      await submit({ kind: 'STAGE', input: { credentialId: id, version: await version(), values: { clientSecret: canary() } } });
      expect(await testPendingVersion(services, { organizationId, credentialId: id, actor: requester, policy })).toMatchObject({ ok: true, data: { outcome: 'FAILURE' } });
      expect(await db.prisma.connectionTest.count({ where: { credentialId: id } })).toBe(0);
      forgetAccessToken(id);
      expect(await token()).toBe(current);
      expect(await db.prisma.credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ACTIVE' });

      // The right one replaces it, passes, and is promoted: the next token is the new secret's.
      await submit({ kind: 'STAGE', input: { credentialId: id, version: await version(), values: { clientSecret: newSecret } } });
      expect(await testPendingVersion(services, { organizationId, credentialId: id, actor: requester, policy })).toMatchObject({ ok: true, data: { outcome: 'SUCCESS' } });
      expect(provider.issued(1)).toBe(1);
      expect(await token()).toBe(current);
      expect(await promotePendingVersion(services, { actor: requester, organizationId, input: { credentialId: id, version: await version() } })).toMatchObject({ ok: true });
      expect(await opened(id, 'clientSecret')).toBe(newSecret);
      const promoted = await token();
      expect(promoted).not.toBe(current);
      expect(provider.issued(1)).toBe(2);

      // Roll back: the old secret is current again, tokens come from it.
      expect(await submit({ kind: 'ROLLBACK', input: { credentialId: id, version: await version() } })).toMatchObject({ applied: true });
      expect(await opened(id, 'clientSecret')).toBe(oldSecret);
      await token();
      expect(provider.issued(0)).toBe(2);
      const states = () => db.prisma.secretVersion.findMany({ where: { credentialId: id }, orderBy: { number: 'asc' }, select: { number: true, state: true, retiredReason: true, destroyAfter: true } });
      // The version rolled back from is not destroyed: it is the previous one for the rollback window (7 days).
      expect(await states()).toEqual([
        { number: 1, state: 'CURRENT', retiredReason: null, destroyAfter: null },
        { number: 2, state: 'RETIRED', retiredReason: 'replaced by another pending version', destroyAfter: null },
        { number: 3, state: 'PREVIOUS', retiredReason: null, destroyAfter: new Date(clock + 7 * 86_400_000) },
      ]);
      // So the rollback can be undone the same way, within the window.
      clock += 86_400_000;
      expect(await submit({ kind: 'ROLLBACK', input: { credentialId: id, version: await version() } })).toMatchObject({ applied: true });
      expect(await opened(id, 'clientSecret')).toBe(newSecret);
      expect((await states()).map((v) => [v.number, v.state])).toEqual([
        [1, 'PREVIOUS'],
        [2, 'RETIRED'],
        [3, 'CURRENT'],
      ]);
      // Past the window, housekeeping destroys the one kept, and there is nothing left to go back to.
      clock += 8 * 86_400_000;
      await housekeeping(services);
      expect((await states()).map((v) => [v.number, v.state, v.retiredReason])).toEqual([
        [1, 'RETIRED', 'rollback window ended'],
        [2, 'RETIRED', 'replaced by another pending version'],
        [3, 'CURRENT', null],
      ]);
      expect(await submitCredentialChange(services, { actor: requester, organizationId, change: { kind: 'ROLLBACK', input: { credentialId: id, version: await version() } } })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_STATE', message: expect.stringMatching(/no previous version/) },
      });
      const dump = await everything();
      expect(dump).not.toContain(oldSecret);
      expect(dump).not.toContain(newSecret);
    } finally {
      await provider.close();
    }
  });

  it('key rotation reseals pending versions and requests, which then apply; purging a credential destroys every sealed value it had', async () => {
    const id = await productionKey();
    const version = async () => (await db.prisma.credential.findUniqueOrThrow({ where: { id } })).version;
    const [staged, asked] = [canary(), canary()];
    const stage = await submit({ kind: 'STAGE', input: { credentialId: id, version: await version(), values: { apiKey: staged } } });
    if (stage.applied) throw new Error('expected a request');
    await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: stage.requestId } });
    const update = await submit({ kind: 'UPDATE', input: { credentialId: id, version: await version(), label: 'rotated', values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: asked } } });
    if (update.applied) throw new Error('expected a request');
    const before = await db.prisma.sealedSecret.findMany({ where: { ownerTable: { in: ['SecretVersion', 'ChangeRequest'] } }, select: { id: true, sealed: true } });
    expect(before.length).toBeGreaterThanOrEqual(2);
    const resealed = await resealOrganization(db.prisma, services.keyring, { organizationId });
    expect(resealed.unreadable).toEqual([]);
    const after = await db.prisma.sealedSecret.findMany({ where: { id: { in: before.map((row) => row.id) } }, select: { id: true, sealed: true } });
    expect(after.every((row) => row.sealed !== before.find((b) => b.id === row.id)!.sealed)).toBe(true);
    // The request made before the rotation applies with the value sealed before it.
    expect(await approveChangeRequest(services, { actor: approver, organizationId, input: { requestId: update.requestId } })).toMatchObject({ ok: true });
    expect(await opened(id, 'apiKey')).toBe(asked);
    // The pending version staged before the rotation is promoted: its value, resealed, opens.
    expect(await promotePendingVersion(services, { actor: requester, organizationId, input: { credentialId: id, version: await version() } })).toMatchObject({ ok: true });
    expect(await opened(id, 'apiKey')).toBe(staged);

    // Deleted and purged after the recovery window: no sealed value of it is left anywhere.
    const versionIds = (await db.prisma.secretVersion.findMany({ where: { credentialId: id }, select: { id: true } })).map((v) => v.id);
    await db.prisma.credential.update({ where: { id }, data: { deletedAt: new Date(Date.now() - 31 * 86_400_000) } });
    await purgeDeletedCredentials(db.prisma);
    expect(await db.prisma.sealedSecret.count({ where: { ownerId: { in: [id, ...versionIds, stage.requestId, update.requestId] } } })).toBe(0);
  });

  it('the audit log filters by actor, action, entity, credential, outcome and day', async () => {
    const id = await productionKey();
    const list = async (filters: Parameters<typeof listAuditEvents>[1]['filters']) => (await listAuditEvents(services, { organizationId, filters })).events;
    const approvals = await list({ action: 'change_request.approve', actor: approver.id! });
    expect(approvals.length).toBeGreaterThan(0);
    expect(approvals.every((e) => e.action === 'change_request.approve' && e.actorLabel === 'approver@demo.example')).toBe(true);
    expect((await list({ credential: id })).map((e) => e.action)).toEqual(expect.arrayContaining(['credential.create', 'change_request.approve']));
    expect((await list({ credential: id })).every((e) => e.targetId === id)).toBe(true);
    const denied = await list({ outcome: 'DENIED' });
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((e) => e.outcome === 'DENIED')).toBe(true);
    const other = await db.prisma.legalEntity.findFirstOrThrow({ where: { organizationId, id: { not: legalEntityId } } });
    expect((await list({ entity: other.id })).some((e) => e.targetId === id)).toBe(false);
    expect((await list({ entity: legalEntityId })).some((e) => e.targetId === id)).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await list({ credential: id, from: today, to: today })).length).toBeGreaterThan(0);
    expect(await list({ credential: id, to: '2020-01-01' })).toEqual([]);
  });

  it('the previous version is restorable within its window only; housekeeping destroys it after', async () => {
    useClock();
    const made = await submit({ kind: 'CREATE', input: apiKey('windowed', 'SANDBOX') });
    if (!made.applied) throw new Error('sandbox changes apply at once');
    const id = made.credentialId;
    const version = async () => (await db.prisma.credential.findUniqueOrThrow({ where: { id } })).version;
    await submit({ kind: 'UPDATE', input: { credentialId: id, version: await version(), label: 'windowed', values: { baseUrl: 'https://api.example.com', headerName: 'X-API-Key', apiKey: canary() } } });
    const previous = await db.prisma.secretVersion.findFirstOrThrow({ where: { credentialId: id, state: 'PREVIOUS' } });
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'SecretVersion', ownerId: previous.id } })).toBe(1);
    clock += 8 * 86_400_000;
    const before = await version();
    expect(await submitCredentialChange(services, { actor: requester, organizationId, change: { kind: 'ROLLBACK', input: { credentialId: id, version: before } } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    });
    expect(await version()).toBe(before);
    await housekeeping(services);
    expect(await db.prisma.secretVersion.findUniqueOrThrow({ where: { id: previous.id } })).toMatchObject({ state: 'RETIRED', retiredReason: 'rollback window ended' });
    expect(await db.prisma.sealedSecret.count({ where: { ownerTable: 'SecretVersion', ownerId: previous.id } })).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { action: 'credential.version_destroy', targetId: id } })).toBe(1);
  });
});
