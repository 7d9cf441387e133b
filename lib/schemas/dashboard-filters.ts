import { z } from 'zod';
import { ZCredentialHealth } from '@/lib/credential-health';
import { REGIMES, type TRegime } from '@/lib/schemas/credential-profiles';

const empty = (value: unknown) => (value === '' || value === 'all' ? undefined : value);

/** Dashboard filters from the query string; anything unrecognised means "all". */
export const ZDashboardFilters = z.object({
  regime: z.preprocess(empty, z.enum(Object.keys(REGIMES) as [TRegime, ...TRegime[]]).optional()).catch(undefined),
  environment: z.preprocess(empty, z.enum(['SANDBOX', 'PRODUCTION']).optional()).catch(undefined),
  health: z.preprocess(empty, ZCredentialHealth.optional()).catch(undefined),
});

export type TDashboardFilters = z.infer<typeof ZDashboardFilters>;
