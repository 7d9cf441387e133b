import { CREDENTIAL_HEALTH, type TCredentialHealth } from '@/lib/credential-health';

export function HealthBadge({ health }: { health: TCredentialHealth }) {
  return <span className={`badge badge-${health}`}>{CREDENTIAL_HEALTH[health]}</span>;
}
