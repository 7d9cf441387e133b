import { describe, expect, it } from 'vitest';
import { ZAuditCursor, ZPageNumber } from '@/lib/schemas/paging';

describe('paging parameters', () => {
  it('reads page numbers, 1 when absent', () => {
    expect(ZPageNumber.parse(undefined)).toBe(1);
    expect(ZPageNumber.parse('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'abc', '99999999999999999999', '1e3', ['1', '2']]) expect(ZPageNumber.safeParse(bad).success).toBe(false);
  });

  it('reads audit cursors up to the largest int8', () => {
    expect(ZAuditCursor.parse(undefined)).toBeUndefined();
    expect(ZAuditCursor.parse('9223372036854775807')).toBe(9_223_372_036_854_775_807n);
    for (const bad of ['9223372036854775808', '99999999999999999999', '-1', 'x', '']) expect(ZAuditCursor.safeParse(bad).success).toBe(false);
  });
});
