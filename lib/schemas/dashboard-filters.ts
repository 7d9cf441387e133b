import { z } from 'zod';
import { ZCredentialHealth } from '@/lib/credential-health';
import { REGIMES, type TRegime } from '@/lib/schemas/credential-profiles';
import { COUNTRY_CODES } from '@/lib/tax-ids';

const empty = (value: unknown) => (value === '' || value === 'all' ? undefined : value);

/** Dashboard filters from the query string (shareable); anything unrecognised means "all". */
export const ZDashboardFilters = z.object({
  /** Part of an entity's name, tax id or reference. */
  q: z.preprocess(empty, z.string().trim().min(1).max(100).optional()).catch(undefined),
  country: z.preprocess(empty, z.string().refine((code) => COUNTRY_CODES.includes(code)).optional()).catch(undefined),
  regime: z.preprocess(empty, z.enum(Object.keys(REGIMES) as [TRegime, ...TRegime[]]).optional()).catch(undefined),
  environment: z.preprocess(empty, z.enum(['SANDBOX', 'PRODUCTION']).optional()).catch(undefined),
  health: z.preprocess(empty, ZCredentialHealth.optional()).catch(undefined),
});

export type TDashboardFilters = z.infer<typeof ZDashboardFilters>;

/** The page of a paged list, from the query string: 1 unless a whole number from 1. */
export const ZPage = z.coerce.number().int().min(1).max(1_000_000).catch(1);

/** The "Expiring and failing" view's filters: an entity, a country, a regime, an environment, one kind. */
export const ZAttentionFilters = z.object({
  entity: z.preprocess(empty, z.uuid().optional()).catch(undefined),
  country: ZDashboardFilters.shape.country,
  regime: ZDashboardFilters.shape.regime,
  environment: ZDashboardFilters.shape.environment,
  show: z.preprocess(empty, z.enum(['EXPIRED', 'EXPIRING', 'FAILING', 'NEVER_TESTED']).optional()).catch(undefined),
});

export type TAttentionFilters = z.infer<typeof ZAttentionFilters>;
