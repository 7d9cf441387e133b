import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { verifyAllAuditChains } from '@/lib/server/audit/verify-audit-chain';
import { createLogger } from '@/lib/server/logger';
import { parseTrustedProxies } from '@/lib/server/net/trusted-proxies';
import { requestContext, requestIdFor } from '@/lib/server/request-context';
import { openTestDatabase } from '@/lib/server/test-support/test-database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const proxy = parseTrustedProxies('10.0.0.1');
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('request ids', () => {
  it('keeps a trusted proxy’s well-formed id, or its traceparent’s trace id; makes a new one otherwise', () => {
    expect(requestIdFor({ 'x-request-id': 'lb-7f3a-0001' }, '10.0.0.1', proxy)).toBe('lb-7f3a-0001');
    expect(requestIdFor({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }, '10.0.0.1', proxy)).toBe(trace);
    // Not from the proxy: whatever it says, a new id.
    expect(requestIdFor({ 'x-request-id': 'lb-7f3a-0001' }, '203.0.113.9', proxy)).toMatch(UUID);
    expect(requestIdFor({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }, '203.0.113.9', proxy)).toMatch(UUID);
    expect(requestIdFor({ 'x-request-id': 'lb-7f3a-0001' }, '10.0.0.1', parseTrustedProxies(''))).toMatch(UUID);
    // From the proxy but malformed: too long, too short, a character outside the set, CR/LF, a zero trace.
    for (const forged of ['a'.repeat(65), 'short', 'id with space', 'id\r\nx-admin: 1', '<script>x</script>', 'ünïcode-id-1234']) {
      expect(requestIdFor({ 'x-request-id': forged }, '10.0.0.1', proxy)).toMatch(UUID);
    }
    for (const forged of [`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${trace.toUpperCase()}-00f067aa0ba902b7-01`, `00-${trace}`, `00-${trace}-00f067aa0ba902b7-01-extra`]) {
      expect(requestIdFor({ traceparent: forged }, '10.0.0.1', proxy)).toMatch(UUID);
    }
    expect(requestIdFor({}, '10.0.0.1', proxy)).not.toBe(requestIdFor({}, '10.0.0.1', proxy));
  });

  it('reaches every log line written while the request is served', () => {
    const lines: string[] = [];
    const log = createLogger(new Writable({ write: (chunk, _, done) => (lines.push(String(chunk)), done()) }));
    requestContext.run({ requestId: 'req-log-000001' }, () => log.warn({ event: 'x' }, 'inside'));
    log.warn({ event: 'y' }, 'outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-log-000001', event: 'x' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('requestId');
  });

  it('is kept in the details of every audit event of the request, inside the hash chain', async () => {
    const db = await openTestDatabase('pglite');
    try {
      const requestId = `req-${randomBytes(6).toString('hex')}`;
      await requestContext.run({ requestId }, () => recordAuditEvent(db.prisma, { actor: { type: 'SYSTEM' }, action: 'test.inside', outcome: 'SUCCESS' }));
      await recordAuditEvent(db.prisma, { actor: { type: 'SYSTEM' }, action: 'test.outside', outcome: 'SUCCESS' });
      const [inside, outside] = await Promise.all(['test.inside', 'test.outside'].map((action) => db.prisma.auditEvent.findFirstOrThrow({ where: { action } })));
      expect(inside!.details).toEqual({ requestId });
      expect(outside!.details).toEqual({});
      expect((await verifyAllAuditChains(db.prisma, new Map())).every((report) => report.ok)).toBe(true);
    } finally {
      await db.close();
    }
  });
});
