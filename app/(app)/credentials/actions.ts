'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import type { TCredentialCreate, TCredentialRef, TCredentialUpdate } from '@/lib/schemas/credential-profiles';
import { ADMINS, TESTERS } from '@/lib/roles';
import type { TCredentialWatch } from '@/lib/schemas/organization-settings';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { runConnectionTest, type ConnectionTestDto } from '@/lib/server/connection-tests/run-connection-test';
import { z } from 'zod';
import type { TStageSecrets } from '@/lib/schemas/governance';
import type { TZatcaStep } from '@/lib/schemas/zatca';
import { runZatcaStep } from '@/lib/server/zatca/onboard-egs';
import { renewKsefCertificate } from '@/lib/server/ksef/renew-certificate';
import { completeCsrEnrolment, startCsrEnrolment } from '@/lib/server/ksef/enrol-with-csr';
import type { TKsefCsrComplete, TKsefCsrStart } from '@/lib/schemas/ksef';
import { submitCredentialChange, type Submitted } from '@/lib/server/approvals/submit-credential-change';
import { promotePendingVersion } from '@/lib/server/credentials/promote-pending-version';
import { testPendingVersion } from '@/lib/server/credentials/test-pending-version';
import { setCredentialWatch } from '@/lib/server/credentials/set-credential-watch';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { services } from '@/lib/server/services';
import { fail } from '@/lib/server/result';
import { toActionResult } from '@/lib/server/to-action-result';

// Each action passes the step-up gate itself (secretChangeAction): a check on the page does not
// protect an action, which anyone can POST to. Input is untyped at runtime and validated by the
// operation (zod).

export async function createCredentialAction(input: TCredentialCreate): Promise<ActionResult<Submitted>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => submitCredentialChange(services, { actor, organizationId, change: { kind: 'CREATE', input } }), { refresh: '/dashboard' });
}

export async function updateCredentialAction(input: TCredentialUpdate): Promise<ActionResult<Submitted>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => submitCredentialChange(services, { actor, organizationId, change: { kind: 'UPDATE', input } }), { refresh: '/dashboard' });
}

/** Revoke, delete, restore, or roll back to the previous secrets: by reference and version only. */
export async function changeCredentialAction(kind: 'REVOKE' | 'DELETE' | 'RESTORE' | 'ROLLBACK', input: TCredentialRef): Promise<ActionResult<Submitted>> {
  // Role and step-up first: whoever is refused there learns nothing about the input.
  return secretChangeAction(
    'credentials',
    async ({ services, actor, organizationId }) => {
      const parsed = z.enum(['REVOKE', 'DELETE', 'RESTORE', 'ROLLBACK']).safeParse(kind);
      return parsed.success ? submitCredentialChange(services, { actor, organizationId, change: { kind: parsed.data, input } }) : fail('VALIDATION', 'Unknown change.');
    },
    { refresh: '/dashboard' },
  );
}

/** New secrets as a pending version beside the current one (staged rotation). */
export async function stageSecretsAction(input: TStageSecrets): Promise<ActionResult<Submitted>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => submitCredentialChange(services, { actor, organizationId, change: { kind: 'STAGE', input } }), { refresh: '/dashboard' });
}

/** Pending → current, or throw the pending version away. The pending values were approved when they were set. */
export async function promotePendingAction(input: TCredentialRef & { discard?: boolean }): Promise<ActionResult<{ secretVersion: number | null }>> {
  return secretChangeAction(
    'credentials',
    ({ services, actor, organizationId }) => promotePendingVersion(services, { actor, organizationId, input: { credentialId: input?.credentialId, version: input?.version }, discard: input?.discard === true }),
    { refresh: '/dashboard' },
  );
}

/** Runs the connection test with the pending secrets (administrators; nothing changes). */
export async function testPendingAction(input: { credentialId: string }): Promise<ActionResult<{ outcome: 'SUCCESS' | 'FAILURE'; message: string; secretVersion: number }>> {
  const user = await requireRole(ADMINS, 'action:credential.test_pending');
  const result = await testPendingVersion(await services(), { organizationId: user.organizationId, credentialId: String(input?.credentialId ?? ''), actor: await requestActor(user) });
  if (result.ok) revalidatePath(`/credentials/${String(input.credentialId)}`);
  return toActionResult(result);
}

/** Runs a connection test now (OPERATOR and ADMIN); it changes nothing at the provider. */
export async function testCredentialAction(input: { credentialId: string }): Promise<ActionResult<ConnectionTestDto>> {
  const user = await requireRole(TESTERS, 'action:credential.test');
  const result = await runConnectionTest(await services(), {
    organizationId: user.organizationId,
    credentialId: String(input?.credentialId ?? ''),
    trigger: 'USER',
    actor: await requestActor(user),
  });
  revalidatePath('/dashboard');
  return toActionResult(result);
}

/** Owner and scheduled-test interval (administrators; no secret changes, so no step-up). */
export async function setCredentialWatchAction(input: TCredentialWatch): Promise<ActionResult<null>> {
  const user = await requireRole(ADMINS, 'credential.watch');
  const result = await setCredentialWatch(await services(), { actor: await requestActor(user), organizationId: user.organizationId, input });
  if (result.ok) revalidatePath(`/credentials/${String(input.credentialId)}`);
  return toActionResult(result);
}

/** One ZATCA onboarding step for an EGS unit: compliance CSID (OTP), production CSID, or renewal (OTP). */
export async function zatcaStepAction(input: TZatcaStep): Promise<ActionResult<{ stage: string; message: string }>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => runZatcaStep(services, { actor, organizationId, input }), { refresh: '/dashboard' });
}

/** Renew a KSeF authentication certificate through KSeF; the new one becomes the pending version. */
export async function renewKsefCertificateAction(input: TCredentialRef): Promise<ActionResult<{ secretVersion: number; message: string }>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => renewKsefCertificate(services, { actor, organizationId, input }), { refresh: '/dashboard' });
}

/** First KSeF certificate: make the key (sealed, pending) and the CSR to hand to KSeF's application. */
export async function startKsefEnrolmentAction(input: TKsefCsrStart): Promise<ActionResult<{ csr: string }>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => startCsrEnrolment(services, { actor, organizationId, input }), { refresh: '/dashboard' });
}

/** First KSeF certificate: attach the certificate KSeF issued for the CSR. */
export async function completeKsefEnrolmentAction(input: TKsefCsrComplete): Promise<ActionResult<null>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => completeCsrEnrolment(services, { actor, organizationId, input }), { refresh: '/dashboard' });
}
