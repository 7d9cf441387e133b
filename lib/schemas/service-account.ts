import { z } from 'zod';
import { oneLineText } from '@/lib/schemas/text';

export const SERVICE_SCOPES = {
  'token:read': 'Get access tokens',
  'credentials:read': 'Read credential status',
  'tests:run': 'Run connection tests',
  'sign:digest': 'Sign digests with certificate keys',
  'proxy:call': 'Call providers through the proxy',
} as const;
export type TServiceScope = keyof typeof SERVICE_SCOPES;

export const ZServiceAccountCreate = z.object({
  name: oneLineText({ min: 1, max: 120, empty: 'Name the service (e.g. "transmission service")' }),
  scopes: z.array(z.enum(Object.keys(SERVICE_SCOPES) as [TServiceScope, ...TServiceScope[]])).min(1, 'Choose at least one permission'),
  legalEntityIds: z.array(z.uuid()).min(1, 'Choose at least one legal entity'),
});
export type TServiceAccountCreate = z.input<typeof ZServiceAccountCreate>;

/** Names one service account (revoke). */
export const ZServiceAccountRef = z.object({ id: z.uuid('Unknown service account') });
