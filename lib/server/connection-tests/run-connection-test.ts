import { dayCount } from '@/lib/expiry';
import 'server-only';
import type { ZConnectionTestBody } from '@/lib/schemas/service-api';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { z } from 'zod';
import { profileDefinition, type TCredentialProfile } from '@/lib/schemas/credential-profiles';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { namesInCertificate } from '@/lib/server/certificates/x509';
import { checkCertificateValues } from '@/lib/server/credentials/certificate-checks';
import { CertificateProblem } from '@/lib/server/credentials/inspect-certificate';
import { openCredentialForUse } from '@/lib/server/credentials/open-credential-for-use';
import type { Services } from '@/lib/server/services';
import { defaultPolicy, guardedFetch, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { scrubSecrets } from '@/lib/server/net/provider-text';
import { fail, ok, type Result } from '@/lib/server/result';
import { ksefSignIn } from '@/lib/server/ksef/sign-in';
import { requestToken } from '@/lib/server/tokens/request-token';
import { ksefSignInOf } from '@/lib/server/tokens/token-sources';
import type { Prisma, TestTrigger } from '@/prisma/generated/client';
import { now } from '@/lib/server/clock';
import { env } from '@/lib/server/env';
import { credentialNotices } from '@/lib/server/notifications/credential-notice';
import { dayKey, raiseNotifications } from '@/lib/server/notifications/raise-notifications';
import { connectionTests } from '@/lib/server/metrics/metrics';

/** One connection test's result (the shape the API documents). */
export type ConnectionTestDto = z.input<typeof ZConnectionTestBody>['test'];

interface Probe {
  outcome: 'SUCCESS' | 'FAILURE';
  /** The credential itself was refused (wrong secret, expired certificate): it needs attention. */
  credentialRefused: boolean;
  httpStatus?: number;
  errorCode?: string;
  message: string;
}

export const SECRET_FIELDS_BY_TEST = {
  'oauth-token': ['clientSecret'],
  'api-health': ['apiKey', 'password'],
  certificate: ['privateKey', 'pkcs12', 'pkcs12Password'],
  ksef: ['ksefToken', 'privateKey'],
} as const;

/**
 * Tests a credential without changing anything at the provider (OAuth: a token request, not kept;
 * API key / basic: the health endpoint; certificate: local checks) and keeps the result as history,
 * with latency, HTTP status, error code and a message scrubbed of every secret value.
 */
export async function runConnectionTest(
  services: Services,
  {
    organizationId,
    credentialId,
    trigger,
    actor,
    policy = defaultPolicy(),
    failuresToNotify = env().NOTIFY_AFTER_FAILED_TESTS,
  }: { organizationId: string; credentialId: string; trigger: TestTrigger; actor: Actor; policy?: OutboundPolicy; failuresToNotify?: number },
): Promise<Result<ConnectionTestDto>> {
  if (!z.uuid().safeParse(credentialId).success) return fail('NOT_FOUND', 'This credential does not exist.');
  const credential = await services.prisma.credential.findFirst({ where: { id: credentialId, organizationId, deletedAt: null }, select: { id: true, profile: true } });
  if (!credential) return fail('NOT_FOUND', 'This credential does not exist.');
  const kind = profileDefinition(credential.profile)?.test ?? 'none';
  if (kind === 'none') return fail('INVALID_STATE', 'This type of credential has no connection test.');
  const opened = await openCredentialForUse(services, { actor, credentialId, fields: SECRET_FIELDS_BY_TEST[kind], purpose: 'connection_test' });
  if (!opened.ok) return opened;
  const { secrets, config, version } = opened.data;

  const startedAt = now();
  const { probe, durationMs, message } = await probeCredential(credential.profile, config, secrets, policy);

  const row = await services.prisma.$transaction(async (tx) => {
    const test = await tx.connectionTest.create({
      data: { credentialId, startedAt, durationMs, outcome: probe.outcome, httpStatus: probe.httpStatus ?? null, errorCode: probe.errorCode ?? null, message, trigger, credentialVersion: version },
    });
    const credential = { id: credentialId, organizationId };
    const event = {
      actor,
      action: 'credential.test',
      outcome: probe.outcome === 'SUCCESS' ? ('SUCCESS' as const) : ('FAILURE' as const),
      details: { trigger, durationMs, httpStatus: probe.httpStatus ?? null, errorCode: probe.errorCode ?? null },
    };
    // A pass heals a credential a provider had refused; a refusal needs a person's attention.
    if (probe.outcome === 'SUCCESS') await changeCredentialStatus(tx, { credential, to: 'ACTIVE', onlyFrom: ['NEEDS_ATTENTION'], event });
    else if (probe.credentialRefused) await changeCredentialStatus(tx, { credential, to: 'NEEDS_ATTENTION', lastError: message, event });
    else await appendAuditEvent(tx, { ...event, target: { type: 'Credential', id: credentialId }, organizationId });
    if (probe.outcome === 'FAILURE') await tellOfFailingTests(tx, credential, failuresToNotify);
    return test;
  });
  connectionTests.inc({ outcome: probe.outcome });
  return ok({ id: row.id, startedAt, durationMs, outcome: probe.outcome, httpStatus: row.httpStatus, errorCode: row.errorCode, message });
}

/**
 * When this failure makes `threshold` in a row (counting back to the last success), the
 * credential's people are told, once: the next failures in the same streak say nothing new.
 */
async function tellOfFailingTests(tx: Prisma.TransactionClient, credential: { id: string; organizationId: string }, threshold: number): Promise<void> {
  const recent = await tx.connectionTest.findMany({ where: { credentialId: credential.id }, orderBy: { startedAt: 'desc' }, take: threshold + 1, select: { outcome: true, message: true } });
  const streak = recent.findIndex((test) => test.outcome !== 'FAILURE');
  if ((streak === -1 ? recent.length : streak) !== threshold) return;
  const data = (await credentialNotices(tx, [credential.id])).get(credential.id) ?? {};
  await raiseNotifications(tx, [
    {
      organizationId: credential.organizationId,
      credentialId: credential.id,
      event: 'credential.test_failing',
      dedupeKey: `credential.test_failing:${credential.id}:${dayKey(now())}`,
      data: { ...data, consecutiveFailures: threshold, lastError: recent[0]?.message ?? null },
    },
  ]);
}

/** Runs one probe and times it; its message is scrubbed of every secret value it was given. */
export async function probeCredential(profileId: string, config: Record<string, string>, secrets: Partial<Record<string, string>>, policy: OutboundPolicy) {
  const started = performance.now();
  const probe = await run(profileId, config, secrets, policy);
  return { probe, durationMs: Math.round(performance.now() - started), message: scrubSecrets(probe.message, Object.values(secrets).filter((v): v is string => Boolean(v))) };
}

async function run(profileId: string, config: Record<string, string>, secrets: Partial<Record<string, string>>, policy: OutboundPolicy): Promise<Probe> {
  const kind = profileDefinition(profileId)?.test;
  if (kind === 'certificate') return checkCertificate(profileId, config, secrets);
  if (kind === 'ksef') return signInToKsef(config, secrets, policy);
  if (kind === 'oauth-token') {
    const result = await requestToken(
      {
        tokenUrl: config.tokenUrl ?? '',
        clientId: config.clientId ?? '',
        clientSecret: secrets.clientSecret ?? '',
        clientAuth: config.clientAuth === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
        ...(config.scope ? { scope: config.scope } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      },
      policy,
    );
    return result.ok
      ? { outcome: 'SUCCESS', credentialRefused: false, httpStatus: result.httpStatus, message: `Token issued (expires in ${result.expiresIn} s).` }
      : { outcome: 'FAILURE', credentialRefused: result.kind === 'permanent', httpStatus: result.httpStatus, errorCode: result.code, message: result.message };
  }
  return checkHealthEndpoint(config, secrets, policy);
}

async function checkHealthEndpoint(config: Record<string, string>, secrets: Partial<Record<string, string>>, policy: OutboundPolicy): Promise<Probe> {
  const url = healthCheckUrl(config.baseUrl ?? config.aspBaseUrl ?? '', config.healthPath);
  if (!url) return { outcome: 'FAILURE', credentialRefused: false, errorCode: 'url_refused', message: 'The health check path must be a path on the base URL’s host; nothing was sent.' };
  const headers: Record<string, string> = { accept: 'application/json' };
  if (secrets.apiKey) headers[config.headerName ?? 'X-API-Key'] = secrets.apiKey;
  if (secrets.password) headers.authorization = `Basic ${Buffer.from(`${config.username ?? ''}:${secrets.password}`).toString('base64')}`;
  try {
    const response = await guardedFetch(url, { method: 'GET', headers }, policy);
    if (response.ok) return { outcome: 'SUCCESS', credentialRefused: false, httpStatus: response.status, message: `The API answered ${response.status}.` };
    const refused = response.status === 401 || response.status === 403;
    return {
      outcome: 'FAILURE',
      credentialRefused: refused,
      httpStatus: response.status,
      errorCode: refused ? 'unauthorized' : 'http_error',
      message: refused ? `The API refused the credential (HTTP ${response.status}).` : `The API answered HTTP ${response.status}.`,
    };
  } catch (error) {
    if (error instanceof OutboundError) return { outcome: 'FAILURE', credentialRefused: false, errorCode: error.code, message: error.message };
    throw error;
  }
}

/** The health endpoint: the path resolved on the base URL, only if it stays on the base URL's origin. */
export function healthCheckUrl(base: string, path: string | undefined): string | null {
  try {
    const baseUrl = new URL(base.endsWith('/') ? base : `${base}/`);
    const url = new URL(path ?? '/', baseUrl);
    return url.origin === baseUrl.origin ? url.href : null;
  } catch {
    return null;
  }
}

/** Local checks only: key ↔ certificate, validity window, chain to the configured CA, the regime's rules. */
async function checkCertificate(profileId: string, config: Record<string, string>, secrets: Partial<Record<string, string>>): Promise<Probe> {
  let checked;
  try {
    checked = await checkCertificateValues(profileId as TCredentialProfile, { stored: {}, config, secrets });
  } catch (error) {
    if (error instanceof CertificateProblem) return { outcome: 'FAILURE', credentialRefused: true, errorCode: error.code, message: `${error.message}.` };
    throw error;
  }
  if (!checked) return { outcome: 'FAILURE', credentialRefused: false, errorCode: 'not_a_certificate', message: 'This credential holds no certificate.' };
  const { inspected, expiresAt, generation } = checked;
  if (config.vatNumber && !namesInCertificate(inspected.certificate).includes(config.vatNumber)) {
    return { outcome: 'FAILURE', credentialRefused: true, errorCode: 'certificate_subject', message: `The certificate names neither in its subject nor in its alternative names the VAT number ${config.vatNumber}.` };
  }
  const daysLeft = Math.floor((expiresAt.getTime() - now().getTime()) / 86_400_000);
  const chained = config.caCertificates ? ` it chains to the configured CA${generation ? ` (OpenPeppol ${generation})` : ''};` : '';
  return { outcome: 'SUCCESS', credentialRefused: false, message: `The key matches the certificate;${chained} ${dayCount(daysLeft)} left.` };
}

/** A whole KSeF sign-in (challenge, token or signature, status, redeem); the tokens are not kept. */
async function signInToKsef(config: Record<string, string>, secrets: Partial<Record<string, string>>, policy: OutboundPolicy): Promise<Probe> {
  const signIn = ksefSignInOf(config, secrets);
  if (!signIn) return { outcome: 'FAILURE', credentialRefused: true, errorCode: 'incomplete', message: 'This credential is incomplete: it cannot sign in to KSeF.' };
  const result = await ksefSignIn(signIn, policy);
  return result.ok
    ? { outcome: 'SUCCESS', credentialRefused: false, httpStatus: result.httpStatus, message: `Signed in to KSeF (access token valid ${result.expiresIn} s).` }
    : { outcome: 'FAILURE', credentialRefused: result.kind === 'permanent', httpStatus: result.httpStatus, errorCode: result.code, message: result.message };
}
