'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/schemas/action-result';
import type { TCredentialCreate, TCredentialRef, TCredentialUpdate } from '@/lib/schemas/credential-profiles';
import { TESTERS } from '@/lib/roles';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { runConnectionTest, type ConnectionTestDto } from '@/lib/server/connection-tests/run-connection-test';
import { createCredential } from '@/lib/server/credentials/create-credential';
import { deleteCredential } from '@/lib/server/credentials/delete-credential';
import { revokeCredential } from '@/lib/server/credentials/revoke-credential';
import { updateCredential } from '@/lib/server/credentials/update-credential';
import { vault } from '@/lib/server/credentials/vault';
import { requireSecretChange } from '@/lib/server/step-up/require-secret-change';
import { toActionResult } from '@/lib/server/to-action-result';

// Each action passes the gate itself (role, two-factor, a step-up grant for its purpose in this
// session): a check on the page does not protect an action, which anyone can POST to. Input is
// untyped at runtime and validated by the operation (zod).

export async function createCredentialAction(input: TCredentialCreate): Promise<ActionResult<{ id: string }>> {
  const gate = await requireSecretChange('credentials');
  if (!gate.ok) return toActionResult(gate);
  const user = gate.data;
  const result = await createCredential(await vault(), { actor: await requestActor(user), organizationId: user.organizationId, input });
  if (result.ok) revalidatePath('/dashboard');
  return toActionResult(result);
}

export async function updateCredentialAction(input: TCredentialUpdate): Promise<ActionResult<{ id: string; version: number }>> {
  const gate = await requireSecretChange('credentials');
  if (!gate.ok) return toActionResult(gate);
  const user = gate.data;
  const result = await updateCredential(await vault(), { actor: await requestActor(user), organizationId: user.organizationId, input });
  if (result.ok) revalidatePath('/dashboard');
  return toActionResult(result);
}

export async function revokeCredentialAction(input: TCredentialRef): Promise<ActionResult<{ destroyedSecrets: number }>> {
  const gate = await requireSecretChange('credentials');
  if (!gate.ok) return toActionResult(gate);
  const user = gate.data;
  const result = await revokeCredential(await vault(), { actor: await requestActor(user), organizationId: user.organizationId, input });
  revalidatePath('/dashboard');
  return toActionResult(result);
}

export async function deleteCredentialAction(input: TCredentialRef & { restore?: boolean }): Promise<ActionResult<{ purgeAfter: Date | null }>> {
  const gate = await requireSecretChange('credentials');
  if (!gate.ok) return toActionResult(gate);
  const user = gate.data;
  const result = await deleteCredential(await vault(), {
    actor: await requestActor(user),
    organizationId: user.organizationId,
    input: { credentialId: input.credentialId, version: input.version },
    restore: input.restore === true,
  });
  revalidatePath('/dashboard');
  return toActionResult(result);
}

/** Runs a connection test now (OPERATOR and ADMIN); it changes nothing at the provider. */
export async function testCredentialAction(input: { credentialId: string }): Promise<ActionResult<ConnectionTestDto>> {
  const user = await requireRole(TESTERS, 'action:credential.test');
  const result = await runConnectionTest(await vault(), {
    organizationId: user.organizationId,
    credentialId: String(input?.credentialId ?? ''),
    trigger: 'USER',
    actor: await requestActor(user),
  });
  revalidatePath('/dashboard');
  return toActionResult(result);
}
