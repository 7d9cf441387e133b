import 'server-only';
import { SYSTEM_ACTOR, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordAuditEvent } from '@/lib/server/audit/record-audit-event';
import { now } from '@/lib/server/clock';
import { KeyProviderError } from '@/lib/server/crypto/key-encryption-key';
import { countStaleKeys, rewrapDataKeys } from '@/lib/server/crypto/rewrap-data-keys';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { Prisma } from '@/prisma/generated/client';

/** Keys rewrapped per batch: progress is written after each, so a kill loses at most one batch's count (never a key). */
export const ROTATION_BATCH = 50;

const label = (actor: Actor) => ('label' in actor && actor.label) || actor.type;

/**
 * Starts "rewrap every data key under the current key-encryption key": refused, saying why, when
 * every key is already under it, when the key cannot be used, or when a rotation is running (one
 * runs; the other is told whose and how far). The key-rotation job does the work.
 */
export async function startKeyRotation({ prisma, keyring }: Services, { actor, organizationId = null }: { actor: Actor; organizationId?: string | null }): Promise<Result<{ id: string; total: number }>> {
  const target = keyring.current;
  const refuse = async (code: 'INVALID_STATE' | 'CONFLICT' | 'KEYS_UNAVAILABLE', message: string) => {
    await recordAuditEvent(prisma, { actor, action: 'keys.rotation_start', organizationId, outcome: 'DENIED', details: { reason: message, kekId: target.id } });
    return fail(code, message);
  };
  try {
    await target.check();
  } catch (error) {
    if (!(error instanceof KeyProviderError)) throw error;
    return refuse('KEYS_UNAVAILABLE', `The current key (${target.provider}) cannot be used, so nothing can be rewrapped under it: ${error.message}`);
  }
  const total = await countStaleKeys(prisma, keyring);
  if (total === 0) return refuse('INVALID_STATE', `Every key is already wrapped under the current key ${target.id} (${target.provider}); there is nothing to rotate.`);
  try {
    const row = await prisma.keyRotation.create({ data: { running: true, targetKekId: target.id, targetProvider: target.provider, requestedBy: label(actor), total }, select: { id: true } });
    await recordAuditEvent(prisma, { actor, action: 'keys.rotation_start', target: { type: 'KeyRotation', id: row.id }, organizationId, outcome: 'SUCCESS', details: { kekId: target.id, provider: target.provider, keys: total } });
    return ok({ id: row.id, total });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
    const running = await prisma.keyRotation.findFirst({ where: { running: true } });
    return refuse('CONFLICT', running ? `A rotation ${running.requestedBy} started at ${running.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC is running (${running.done} of ${running.total} keys); it goes on, and this one was not started.` : 'A rotation is running; this one was not started.');
  }
}

/**
 * The key-rotation job: works the running rotation in batches until every key is under its target,
 * then finishes it. An instance whose current key is not the target does nothing (and says so): the
 * keys must end under one key, whichever instance runs the job.
 */
export async function runKeyRotation(
  { prisma, keyring }: Services,
  { batchSize = ROTATION_BATCH, onProgress }: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<string> {
  const rotation = await prisma.keyRotation.findFirst({ where: { running: true } });
  if (!rotation) return 'no rotation running';
  if (rotation.targetKekId !== keyring.current.id) {
    const lastError = `This instance's current key is ${keyring.current.id} (${keyring.current.provider}), not the rotation's ${rotation.targetKekId}: configure the same key on every instance.`;
    await prisma.keyRotation.update({ where: { id: rotation.id }, data: { lastError } });
    throw new Error(lastError);
  }
  // Progress is read from the keys themselves, so a run killed between a batch and its count loses nothing.
  let done = rotation.done;
  try {
    for (;;) {
      const stale = await countStaleKeys(prisma, keyring);
      done = Math.max(0, rotation.total - stale);
      onProgress?.(done, rotation.total);
      if (stale === 0) break;
      await prisma.keyRotation.update({ where: { id: rotation.id }, data: { done, lastError: null } });
      await rewrapDataKeys(prisma, keyring, { limit: batchSize });
    }
  } catch (error) {
    const lastError = error instanceof Error ? error.message.slice(0, 500) : String(error);
    await prisma.keyRotation.update({ where: { id: rotation.id }, data: { lastError } });
    throw error;
  }
  await prisma.keyRotation.update({ where: { id: rotation.id }, data: { running: null, finishedAt: now(), done, lastError: null } });
  await recordAuditEvent(prisma, { actor: SYSTEM_ACTOR, action: 'keys.rotation_finish', target: { type: 'KeyRotation', id: rotation.id }, outcome: 'SUCCESS', details: { kekId: rotation.targetKekId, keys: done } });
  return `${done} of ${rotation.total} keys under ${rotation.targetKekId}; finished`;
}

/** The running rotation and the last finished one, for Admin → Keys. */
export async function rotationProgress({ prisma }: Pick<Services, 'prisma'>) {
  const [running, last] = await Promise.all([
    prisma.keyRotation.findFirst({ where: { running: true } }),
    prisma.keyRotation.findFirst({ where: { running: null }, orderBy: { finishedAt: 'desc' } }),
  ]);
  return { running, last };
}
