import 'server-only';
import type { LimitRule } from '@/lib/server/auth/rate-limits';

/** Second-factor attempts allowed per user per window before it locks (a right code starts it over). */
export const SECOND_FACTOR_LIMIT: LimitRule = { keyPrefix: 'second-factor', points: 5, windowSeconds: 15 * 60 };
