import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether a scrape may read the metrics: only with `Authorization: Bearer <METRICS_TOKEN>`, compared
 * in constant time. Without a configured token nobody may (the route then does not exist).
 */
export function metricsAccess(authorization: string | null, token: string | undefined): 'allowed' | 'refused' | 'not_configured' {
  if (!token) return 'not_configured';
  const sent = authorization?.match(/^Bearer (\S{1,512})$/)?.[1];
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token)) ? 'allowed' : 'refused';
}
