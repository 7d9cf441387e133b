import { describe, expect, it } from 'vitest';
import { checkTaxId, COUNTRY_CODES, countryName, taxIdRule } from '@/lib/tax-ids';

// Valid examples are published numbers (authorities' own, or large companies' on their invoices);
// invalid ones differ from them in the property the rule checks.
const CASES: { country: string; valid: [typed: string, stored: string][]; invalid: string[] }[] = [
  {
    country: 'AE',
    valid: [['100234567800003', '100234567800003'], ['100 2345 6780 0003', '100234567800003']],
    invalid: ['200234567800003', '10023456780000', '1002345678000031', '10023456780000A'],
  },
  {
    country: 'SA',
    valid: [['399999999900003', '399999999900003'], ['310122393500003', '310122393500003']],
    invalid: ['399999999900004', '299999999900003', '39999999990003'],
  },
  {
    country: 'MY',
    valid: [['C25845632020', 'C25845632020'], ['IG115002000', 'IG115002000'], ['cs 2584563200', 'CS2584563200'], ['LE1234567890', 'LE1234567890']],
    // leading zero after the prefix; not ending in 0; unknown prefix; too long
    invalid: ['C01234567890', 'C123456789', 'XX1234567890', 'C1234567890123450', 'IG1234567890123'],
  },
  {
    country: 'PL',
    valid: [['5260250274', '5260250274'], ['526-025-02-74', '5260250274'], ['PL 7680002466', '7680002466']],
    invalid: ['5260250275', '526025027', '1234567890'],
  },
  {
    country: 'IT',
    valid: [['00743110157', '00743110157'], ['IT00488410010', '00488410010']],
    invalid: ['00743110158', '0074311015', 'IT0048841001X'],
  },
  {
    country: 'DE',
    valid: [['DE136695976', 'DE136695976'], ['de 811 569 869', 'DE811569869']],
    invalid: ['DE136695977', '136695976', 'DE13669597', 'AT136695976'],
  },
  {
    country: 'FR',
    valid: [['FR40303265045', 'FR40303265045'], ['123.456/78-9', '123.456/78-9']],
    invalid: ['X', '-12345', `A${'1'.repeat(30)}`, '12€45'],
  },
];

describe('tax ids', () => {
  for (const { country, valid, invalid } of CASES) {
    it(`${country}: accepts published numbers and stores them compact`, () => {
      for (const [typed, stored] of valid) expect(checkTaxId(country, typed)).toEqual({ ok: true, value: stored });
    });
    it(`${country}: refuses what breaks the rule, naming it`, () => {
      for (const typed of invalid) expect(checkTaxId(country, typed), typed).toEqual({ ok: false, message: taxIdRule(country) });
    });
  }

  it('each national rule is its own sentence; other countries get the generic one', () => {
    const national = ['AE', 'SA', 'MY', 'PL', 'IT', 'DE'].map(taxIdRule);
    expect(new Set(national).size).toBe(6);
    expect(taxIdRule('FR')).toBe(taxIdRule('JP'));
    expect(national).not.toContain(taxIdRule('FR'));
  });

  it('knows the 249 ISO 3166-1 codes by name, and nothing else', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(new Set(COUNTRY_CODES).size).toBe(249);
    for (const code of COUNTRY_CODES) expect(countryName(code), code).not.toBe(code);
    for (const code of ['EU', 'UK', 'XK', 'ZZ']) expect(COUNTRY_CODES).not.toContain(code);
  });
});
