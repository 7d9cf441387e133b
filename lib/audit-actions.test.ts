import { describe, expect, it } from 'vitest';
import { attempted, AUDIT_ACTIONS, auditFilterParams, describeAuditEvent, ZAuditFilters } from '@/lib/audit-actions';

describe('audit log for auditors', () => {
  it('describes an event in words: action, fields, versions, status moves, requester and refusal reason', () => {
    expect(
      describeAuditEvent({
        action: 'credential.update',
        outcome: 'SUCCESS',
        details: { replacedSecrets: ['clientSecret'], secretVersion: 3, fromStatus: 'NEEDS_ATTENTION', toStatus: 'ACTIVE', requestedBy: 'amira@acme.example' },
      }),
    ).toBe('Changed a credential’s settings or secrets · replaced clientSecret · version 3 · needs attention → active · requested by amira@acme.example');
    expect(describeAuditEvent({ action: 'change_request.approve', outcome: 'DENIED', details: { reason: 'FORBIDDEN' } })).toBe('Tried to approve and apply a change request · refused: not allowed');
    expect(describeAuditEvent({ action: 'change_request.reject', outcome: 'SUCCESS', details: { reason: 'Wrong entity' } })).toBe('Rejected a change request · reason: Wrong entity');
    // An action it has no words for is shown by its code.
    expect(describeAuditEvent({ action: 'something.new', outcome: 'SUCCESS', details: {} })).toBe('something.new');
  });

  it('a refused or failed event reads as an attempt, for every action a person or service does; a refused access names what was asked', () => {
    for (const label of Object.values(AUDIT_ACTIONS)) {
      if (/^(A |Access |Demo )/.test(label)) continue;
      expect(attempted(label)).toMatch(/^Tried to [a-z]/);
      expect(attempted(label)).not.toMatch(/\band [a-z]+ed\b/);
    }
    expect(describeAuditEvent({ action: 'credential.test', outcome: 'FAILURE', details: { errorCode: 'invalid_client' } })).toBe('Tried to run a connection test · error invalid_client');
    expect(describeAuditEvent({ action: 'access.denied', outcome: 'DENIED', details: { resource: 'page:/admin/users', role: 'VIEWER', required: ['ADMIN'] } })).toBe('Access refused · page /admin/users · role viewer');
    expect(describeAuditEvent({ action: 'access.denied', outcome: 'DENIED', details: { resource: 'action:credential.test', role: 'AUDITOR' } })).toBe('Access refused · to run a connection test · role auditor');
    expect(describeAuditEvent({ action: 'access.denied', outcome: 'DENIED', details: { resource: 'route:/audit/export', role: 'VIEWER' } })).toBe('Access refused · address /audit/export · role viewer');
  });

  it('reads filters from the URL, refusing malformed ones, and writes back only those set', () => {
    const parsed = ZAuditFilters.parse({ actor: 'system', action: 'credential.update', outcome: 'DENIED', from: '2026-12-01', to: '', before: '12', format: 'csv' });
    expect(parsed).toEqual({ actor: 'system', action: 'credential.update', outcome: 'DENIED', from: '2026-12-01', to: '' });
    expect(auditFilterParams(parsed)).toEqual({ actor: 'system', action: 'credential.update', outcome: 'DENIED', from: '2026-12-01' });
    for (const bad of [{ from: '01/12/2026' }, { actor: 'amira' }, { action: "x' OR 1=1" }, { outcome: 'MAYBE' }, { credential: 'not-a-uuid' }]) {
      expect(ZAuditFilters.safeParse(bad).success).toBe(false);
    }
  });
});
