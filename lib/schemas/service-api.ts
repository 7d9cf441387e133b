import { z } from 'zod';
import { ZCredentialHealth } from '@/lib/credential-health';
import { REGIMES, type TRegime } from '@/lib/schemas/credential-profiles';

// The bodies the service API (/api/v1) answers with. Route handlers build their answers against
// these types, and the OpenAPI document (lib/openapi.ts) is generated from them, so the two cannot
// drift apart. Dates are Date objects here and ISO 8601 strings on the wire.

const ZEnvironment = z.enum(['SANDBOX', 'PRODUCTION']);
const ZLastTest = z
  .object({
    startedAt: z.date(),
    outcome: z.enum(['SUCCESS', 'FAILURE']),
    message: z.string().nullable(),
    errorCode: z.string().nullable().optional().meta({ description: 'Stable code of a failure (invalid_client, timeout …)' }),
    httpStatus: z.number().int().nullable().optional(),
  })
  .nullable();

export const ZApiError = z
  .object({ error: z.object({ code: z.string().meta({ description: 'Stable machine-readable code' }), message: z.string() }) })
  .meta({ id: 'Error' });

export const ZCredentialSummary = z
  .object({
    id: z.uuid(),
    label: z.string(),
    profileTitle: z.string(),
    regime: z.enum(Object.keys(REGIMES) as [TRegime, ...TRegime[]]),
    environment: ZEnvironment,
    health: ZCredentialHealth,
    expiresAt: z.date().nullable(),
    lastTest: ZLastTest,
    successRate30d: z.object({ rate: z.number(), tests: z.number().int() }).optional(),
    legalEntity: z.object({ id: z.uuid(), name: z.string(), taxId: z.string() }),
  })
  .meta({ id: 'CredentialSummary', description: 'Status only: never a secret or a setting.' });

export const ZCredentialList = z.object({ credentials: z.array(ZCredentialSummary) });

const ZFieldStatus = z.object({
  name: z.string(),
  label: z.string(),
  kind: z.enum(['text', 'url', 'secret', 'pem', 'file', 'select', 'date']),
  secret: z.boolean(),
  required: z.boolean(),
  value: z.string().nullable().meta({ description: 'Non-secret fields only; null for secrets' }),
  set: z.boolean(),
  fingerprint: z.string().nullable().meta({ description: 'Secret fields: a keyed fingerprint of the stored value, never the value' }),
  help: z.string().optional(),
  options: z.array(z.string()).readonly().optional(),
  defaultValue: z.string().optional(),
});

export const ZCertificateFacts = z
  .object({
    subject: z.string(),
    issuer: z.string(),
    serialNumber: z.string().meta({ description: 'Hexadecimal' }),
    notBefore: z.string().meta({ description: 'ISO 8601' }),
    notAfter: z.string().meta({ description: 'ISO 8601' }),
    sha256: z.string().meta({ description: 'SHA-256 of the DER certificate, colon-separated hex' }),
    pkiGeneration: z.string().nullable().meta({ description: 'Peppol: the OpenPeppol PKI generation its CA names (G2 certificates were revoked on 1 April 2026)' }),
  })
  .meta({ id: 'CertificateFacts', description: 'The stored certificate (public); never its key.' });

export const ZCredentialStatus = z
  .object({
    id: z.uuid(),
    label: z.string(),
    profile: z.string(),
    profileTitle: z.string(),
    environment: ZEnvironment,
    status: z.enum(['DRAFT', 'ACTIVE', 'REFRESHING', 'EXPIRED', 'NEEDS_ATTENTION', 'REVOKED']),
    health: ZCredentialHealth,
    version: z.number().int(),
    legalEntity: z.object({ id: z.uuid(), name: z.string(), taxId: z.string() }),
    expiresAt: z.date().nullable(),
    configuredAt: z.date().nullable(),
    configuredBy: z.string().nullable(),
    lastUsedAt: z.date().nullable(),
    lastError: z.string().nullable(),
    revokedAt: z.date().nullable(),
    deletedAt: z.date().nullable(),
    deletedBy: z.string().nullable().meta({ description: "Who deleted it, while it can be restored." }),
    fields: z.array(ZFieldStatus),
    lastTest: ZLastTest,
    certificate: ZCertificateFacts.nullable(),
    notice: z.string().nullable().meta({ description: 'What the regime requires of this kind of credential (e.g. KSeF tokens end on 31 December 2026).' }),
  })
  .meta({ id: 'CredentialStatus' });

export const ZCredentialStatusBody = z.object({ credential: ZCredentialStatus });

export const ZAccessTokenBody = z
  .object({ access_token: z.string(), token_type: z.string(), expires_at: z.date() })
  .meta({ id: 'AccessToken', description: 'Use it until expires_at; ask again for a fresh one (it is refreshed ahead of expiry).' });

export const ZConnectionTestBody = z
  .object({
    test: z.object({
      id: z.uuid(),
      startedAt: z.date(),
      durationMs: z.number().int(),
      outcome: z.enum(['SUCCESS', 'FAILURE']),
      httpStatus: z.number().int().nullable(),
      errorCode: z.string().nullable(),
      message: z.string().meta({ description: 'Scrubbed of every secret value' }),
    }),
  })
  .meta({ id: 'ConnectionTestResult' });
