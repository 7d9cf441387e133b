import 'server-only';
import type { CredentialStatus } from '@/prisma/generated/client';

/**
 * DRAFT → ACTIVE ⇄ REFRESHING, ACTIVE → EXPIRED, any → NEEDS_ATTENTION, any → REVOKED (terminal).
 * Reconfiguring (new secrets) brings EXPIRED and NEEDS_ATTENTION back to ACTIVE.
 */
const ALLOWED: Record<CredentialStatus, readonly CredentialStatus[]> = {
  DRAFT: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  ACTIVE: ['ACTIVE', 'REFRESHING', 'EXPIRED', 'NEEDS_ATTENTION', 'REVOKED'],
  REFRESHING: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  EXPIRED: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  NEEDS_ATTENTION: ['ACTIVE', 'NEEDS_ATTENTION', 'REVOKED'],
  REVOKED: [],
};

export function canTransition(from: CredentialStatus, to: CredentialStatus): boolean {
  return ALLOWED[from].includes(to);
}
