import { z } from 'zod';

const attribute = (label: string) => z.string().trim().max(256, 'At most 256 characters').regex(/^[^\x00-\x1f]*$/, `The ${label} is one line`);

/**
 * The subject KSeF's enrolment data names (the taxpayer app shows it when you start an enrolment);
 * the CSR must carry exactly these attributes.
 */
export const ZKsefSubject = z.object({
  commonName: attribute('common name').min(1, 'Enter the common name (CN) exactly as KSeF shows it'),
  organizationName: attribute('organization name').optional(),
  organizationIdentifier: attribute('organization identifier').optional(),
  givenName: attribute('given name').optional(),
  surname: attribute('surname').optional(),
  serialNumber: attribute('serial number').optional(),
  countryName: z.string().trim().regex(/^[A-Z]{2}$/, 'Two capital letters, e.g. PL'),
});
export type TKsefSubject = z.input<typeof ZKsefSubject>;

export const ZKsefCsrStart = z.object({ credentialId: z.uuid('Unknown credential'), version: z.number().int().positive(), subject: ZKsefSubject });
export const ZKsefCsrComplete = z.object({ credentialId: z.uuid('Unknown credential'), version: z.number().int().positive(), certificate: z.string().trim().min(1, 'Paste or choose the certificate KSeF issued').max(64 * 1024) });
export type TKsefCsrStart = z.input<typeof ZKsefCsrStart>;
export type TKsefCsrComplete = z.input<typeof ZKsefCsrComplete>;
