import { describe, expect, it } from 'vitest';
import { credentialHealth } from '@/lib/credential-health';

const now = new Date('2026-11-22T12:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
const ok = { outcome: 'SUCCESS' as const };
const failed = { outcome: 'FAILURE' as const };

describe('credentialHealth', () => {
  it.each([
    ['draft', { status: 'DRAFT', expiresAt: null, lastTest: null }, 'NOT_CONFIGURED'],
    ['revoked', { status: 'REVOKED', expiresAt: null, lastTest: ok }, 'REVOKED'],
    ['active, never tested', { status: 'ACTIVE', expiresAt: null, lastTest: null }, 'NEVER_TESTED'],
    ['active, last test passed', { status: 'ACTIVE', expiresAt: days(90), lastTest: ok }, 'VALID'],
    ['active, last test failed', { status: 'ACTIVE', expiresAt: null, lastTest: failed }, 'FAILING'],
    ['needs attention', { status: 'NEEDS_ATTENTION', expiresAt: null, lastTest: ok }, 'FAILING'],
    ['expired status', { status: 'EXPIRED', expiresAt: null, lastTest: ok }, 'EXPIRED'],
    ['past its expiry date', { status: 'ACTIVE', expiresAt: days(-1), lastTest: ok }, 'EXPIRED'],
    ['an expired certificate whose test failed', { status: 'NEEDS_ATTENTION', expiresAt: days(-1), lastTest: failed }, 'EXPIRED'],
    ['expiring within 30 days', { status: 'ACTIVE', expiresAt: days(29), lastTest: ok }, 'EXPIRING'],
    ['expiring beats never tested', { status: 'ACTIVE', expiresAt: days(3), lastTest: null }, 'EXPIRING'],
    ['refreshing counts as configured', { status: 'REFRESHING', expiresAt: days(31), lastTest: ok }, 'VALID'],
  ] as const)('%s → %s', (_, input, expected) => {
    expect(credentialHealth(input, now)).toBe(expected);
  });
});
