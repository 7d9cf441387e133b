import { describe, expect, it } from 'vitest';
import { ZLegalEntity } from '@/lib/schemas/legal-entity';
import { ZPersonName } from '@/lib/schemas/accounts';
import { oneLineText } from '@/lib/schemas/text';

describe('oneLineText', () => {
  const schema = oneLineText({ min: 1, max: 20 });
  it.each(['Acme\n=1+1', 'Acme\r@SUM(A1)', 'tab\there', 'Acme\u2028=1', 'Acme\u0085', 'nul\u0000', 'del\u007f'])('refuses %j with one message', (value) => {
    const parsed = schema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.message)).toEqual(['One line, without tabs, line breaks or other control characters']);
  });

  it('keeps accents and trims the ends', () => {
    expect(schema.parse('  Société Générale ')).toBe('Société Générale');
  });

  it('is what names and labels use: a legal entity and a person', () => {
    expect(ZLegalEntity.safeParse({ name: 'Acme\r\n=cmd', country: 'DE', taxId: 'DE136695976' }).success).toBe(false);
    expect(ZPersonName.safeParse('Ann\nBob').success).toBe(false);
  });
});
