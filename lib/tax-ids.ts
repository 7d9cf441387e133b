// Tax identification numbers of legal entities, checked with each country's published rules. Used
// by the entity form (in the browser) and again on the server, which is what counts.

/** ISO 3166-1 alpha-2: the 249 officially assigned codes. */
export const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
  'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
  'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
  'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

const names = new Intl.DisplayNames(['en'], { type: 'region' });

/** "AE" → "United Arab Emirates". */
export const countryName = (code: string): string => names.of(code) ?? code;

/** Every country a legal entity may have, by name, for a select (made once, on the server). */
export const countryOptions = () => COUNTRY_CODES.map((code) => ({ value: code, label: countryName(code) })).sort((a, b) => a.label.localeCompare(b.label, 'en'));

export type TaxIdCheck = { ok: true; value: string } | { ok: false; message: string };

interface Rule {
  /** What the number is called, and the rule in a sentence (the error message names it). */
  describe: string;
  /** Prefix that may be typed before the number and is not stored (the EU VAT country code). */
  strip?: string;
  check: (value: string) => boolean;
}

const digits = (value: string) => Array.from(value, Number);

/** Poland NIP: 10 digits; weights 6 5 7 2 3 4 5 6 7 on the first nine, sum mod 11 is the tenth (never 10). */
export function validNip(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  const d = digits(value);
  const sum = [6, 5, 7, 2, 3, 4, 5, 6, 7].reduce((total, weight, i) => total + weight * d[i]!, 0) % 11;
  return sum !== 10 && sum === d[9];
}

/** Italy Partita IVA: 11 digits; the last is a Luhn check digit over the first ten. */
export function validPartitaIva(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  const d = digits(value);
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const doubled = i % 2 === 1 ? d[i]! * 2 : d[i]!;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return (10 - (sum % 10)) % 10 === d[10];
}

/** Germany USt-IdNr: DE + 9 digits; the ninth is the ISO 7064 MOD 11,10 check digit of the first eight. */
export function validUstIdNr(value: string): boolean {
  const match = /^DE(\d{9})$/.exec(value);
  if (!match) return false;
  const d = digits(match[1]!);
  let product = 10;
  for (let i = 0; i < 8; i++) {
    let sum = (d[i]! + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  const check = 11 - product;
  return (check === 10 ? 0 : check) === d[8];
}

const RULES: Record<string, Rule> = {
  AE: { describe: 'A UAE TRN is 15 digits starting with 100.', check: (v) => /^100\d{12}$/.test(v) },
  SA: { describe: 'A Saudi VAT number is 15 digits that start and end with 3.', check: (v) => /^3\d{13}3$/.test(v) },
  MY: {
    describe:
      'A Malaysian TIN is IG and up to 12 digits (individuals), or C, CS, D, F, FA, PT, TA, TC, TN, TR, TP, J or LE and digits without leading zero, ending in 0 (as LHDN issues it; 14 characters at most).',
    check: (v) => /^IG\d{1,12}$/.test(v) || /^(C|CS|D|F|FA|PT|TA|TC|TN|TR|TP|J|LE)[1-9]\d{0,10}0$/.test(v) && v.length <= 14,
  },
  PL: { describe: 'A Polish NIP is 10 digits whose last digit matches the weighted checksum of the first nine.', strip: 'PL', check: validNip },
  IT: { describe: 'An Italian Partita IVA is 11 digits whose last digit matches the check digit of the first ten.', strip: 'IT', check: validPartitaIva },
  DE: { describe: 'A German USt-IdNr is DE and 9 digits whose last digit matches the check digit of the first eight.', check: validUstIdNr },
};

const GENERIC: Rule = {
  describe: 'A tax id is 2 to 30 letters and digits, with dots, dashes or slashes between them if the authority writes them.',
  check: (v) => /^[A-Z0-9][A-Z0-9./-]{0,28}[A-Z0-9]$/.test(v),
};

/** The rule a country's tax ids follow, in a sentence. */
export const taxIdRule = (country: string): string => (RULES[country] ?? GENERIC).describe;

/**
 * Checks a tax id as typed for `country`; on success the value to store: upper case, without the
 * spaces (and, for the national rules, dots and dashes) people type for readability, and without an
 * EU VAT country prefix where the national number is meant.
 */
export function checkTaxId(country: string, typed: string): TaxIdCheck {
  const rule = RULES[country] ?? GENERIC;
  let value = typed.toUpperCase().replace(RULES[country] ? /[\s.-]/g : /\s/g, '');
  if (rule.strip && value.startsWith(rule.strip)) value = value.slice(rule.strip.length);
  return rule.check(value) ? { ok: true, value } : { ok: false, message: rule.describe };
}
