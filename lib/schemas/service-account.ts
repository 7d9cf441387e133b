import { z } from 'zod';

export const SERVICE_SCOPES = {
  'token:read': 'Get access tokens',
  'credentials:read': 'Read credential status',
  'tests:run': 'Run connection tests',
} as const;
export type TServiceScope = keyof typeof SERVICE_SCOPES;

export const ZServiceAccountCreate = z.object({
  name: z.string().trim().min(1, 'Name the service (e.g. "transmission service")').max(120, 'At most 120 characters'),
  scopes: z.array(z.enum(Object.keys(SERVICE_SCOPES) as [TServiceScope, ...TServiceScope[]])).min(1, 'Choose at least one permission'),
  legalEntityIds: z.array(z.uuid()).min(1, 'Choose at least one legal entity'),
});
export type TServiceAccountCreate = z.input<typeof ZServiceAccountCreate>;

/** Names one service account (revoke). */
export const ZServiceAccountRef = z.object({ id: z.uuid('Unknown service account') });
