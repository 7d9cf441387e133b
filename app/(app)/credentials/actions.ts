'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import type { TCredentialCreate, TCredentialRef, TCredentialUpdate } from '@/lib/schemas/credential-profiles';
import { ADMINS, TESTERS } from '@/lib/roles';
import type { TCredentialWatch } from '@/lib/schemas/organization-settings';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { runConnectionTest, type ConnectionTestDto } from '@/lib/server/connection-tests/run-connection-test';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { deleteCredential } from '@/lib/server/credentials/delete-credential';
import { setCredentialWatch } from '@/lib/server/credentials/set-credential-watch';
import { revokeCredential } from '@/lib/server/credentials/revoke-credential';
import { updateCredential } from '@/lib/server/credentials/update-credential';
import { secretChangeAction } from '@/lib/server/secret-change-action';
import { services } from '@/lib/server/services';
import { toActionResult } from '@/lib/server/to-action-result';

// Each action passes the step-up gate itself (secretChangeAction): a check on the page does not
// protect an action, which anyone can POST to. Input is untyped at runtime and validated by the
// operation (zod).

export async function createCredentialAction(input: TCredentialCreate): Promise<ActionResult<{ id: string }>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => createCredential(services, { actor, organizationId, input }), { refresh: '/dashboard' });
}

export async function updateCredentialAction(input: TCredentialUpdate): Promise<ActionResult<{ id: string; version: number }>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => updateCredential(services, { actor, organizationId, input }), { refresh: '/dashboard' });
}

export async function revokeCredentialAction(input: TCredentialRef): Promise<ActionResult<{ destroyedSecrets: number }>> {
  return secretChangeAction('credentials', ({ services, actor, organizationId }) => revokeCredential(services, { actor, organizationId, input }), { refresh: '/dashboard' });
}

export async function deleteCredentialAction(input: TCredentialRef & { restore?: boolean }): Promise<ActionResult<{ purgeAfter: Date | null }>> {
  return secretChangeAction(
    'credentials',
    ({ services, actor, organizationId }) =>
      deleteCredential(services, { actor, organizationId, input: { credentialId: input?.credentialId, version: input?.version }, restore: input?.restore === true }),
    { refresh: '/dashboard' },
  );
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
