import { z } from 'zod';
import { oneLineText } from '@/lib/schemas/text';
import { checkTaxId, COUNTRY_CODES } from '@/lib/tax-ids';

/** A legal entity as its form sends it; the tax id comes out in the form it is stored in. */
export const ZLegalEntity = z
  .object({
    name: oneLineText({ min: 2, max: 200, empty: 'Enter the entity’s registered name' }),
    country: z.string().refine((code) => COUNTRY_CODES.includes(code), 'Choose a country'),
    taxId: z.string().max(60, 'Too long for a tax id'),
    externalRef: oneLineText({ min: 0, max: 100 }).optional(),
  })
  .transform((value, context) => {
    const checked = checkTaxId(value.country, value.taxId);
    if (!checked.ok) {
      context.addIssue({ code: 'custom', path: ['taxId'], message: checked.message });
      return z.NEVER;
    }
    return { ...value, taxId: checked.value };
  });
export type TLegalEntity = z.input<typeof ZLegalEntity>;

export const ZLegalEntityRef = z.object({ legalEntityId: z.uuid('Unknown legal entity') });

/** The largest CSV of legal entities taken (checked in the browser before sending, and again on the server). */
export const MAX_IMPORT_BYTES = 1024 * 1024;
