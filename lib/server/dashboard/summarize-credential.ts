import 'server-only';
import type { z } from 'zod';
import type { ZCredentialSummary } from '@/lib/schemas/service-api';
import { credentialHealth } from '@/lib/credential-health';
import { leadDaysFor } from '@/lib/expiry';
import { describeProfile } from '@/lib/schemas/credential-profiles';
import type { Environment, TestOutcome } from '@/prisma/generated/client';

/** Status-only summary of one credential (the API adds its legal entity). */
export type CredentialSummary = Omit<z.input<typeof ZCredentialSummary>, 'legalEntity'>;

export const credentialSummarySelect = {
  id: true,
  label: true,
  profile: true,
  environment: true,
  status: true,
  expiresAt: true,
  /** Its lead time before expiry is the organization's choice for its profile. */
  organization: { select: { expiryLeadDays: true } },
  lastTestAt: true,
  lastTestOutcome: true,
  lastTestMessage: true,
} as const;

type CredentialRow = {
  id: string;
  label: string;
  profile: string;
  environment: Environment;
  status: Parameters<typeof credentialHealth>[0]['status'];
  expiresAt: Date | null;
  organization: { expiryLeadDays: unknown };
  lastTestAt: Date | null;
  lastTestOutcome: TestOutcome | null;
  lastTestMessage: string | null;
};

/** The newest test as the credential's row keeps it (a trigger on ConnectionTest writes it). */
const lastTestOf = (row: Pick<CredentialRow, 'lastTestAt' | 'lastTestOutcome' | 'lastTestMessage'>) =>
  row.lastTestAt && row.lastTestOutcome ? { startedAt: row.lastTestAt, outcome: row.lastTestOutcome, message: row.lastTestMessage } : null;

/** Status-only DTO of one credential (no config, no secret). */
export function summarizeCredential(row: CredentialRow, now: Date): CredentialSummary {
  const lastTest = lastTestOf(row);
  const { title, regime } = describeProfile(row.profile);
  return {
    id: row.id,
    label: row.label,
    profileTitle: title,
    regime,
    environment: row.environment,
    health: credentialHealth({ status: row.status, expiresAt: row.expiresAt, lastTest, leadDays: leadDaysFor(row.profile, row.organization.expiryLeadDays) }, now),
    expiresAt: row.expiresAt,
    lastTest,
  };
}
