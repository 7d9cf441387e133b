'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { ActionResult } from '@/lib/schemas/action-result';
import { ZLegalEntity, ZLegalEntityRef, type TLegalEntity } from '@/lib/schemas/legal-entity';
import { ADMINS } from '@/lib/roles';
import { requestActor } from '@/lib/server/auth/request-actor';
import { requireRole } from '@/lib/server/auth/session';
import { archiveLegalEntity } from '@/lib/server/entities/archive-legal-entity';
import { importLegalEntities, MAX_IMPORT_BYTES, previewImport, type ImportPreview } from '@/lib/server/entities/import-legal-entities';
import { saveLegalEntity } from '@/lib/server/entities/save-legal-entity';
import { fail, fieldErrorsOf } from '@/lib/server/result';
import { services } from '@/lib/server/services';
import { toActionResult } from '@/lib/server/to-action-result';

/** Creates a legal entity, or changes one when `legalEntityId` is given (administrators). */
export async function saveLegalEntityAction(input: TLegalEntity, legalEntityId?: string): Promise<ActionResult<{ id: string }>> {
  const user = await requireRole(ADMINS, legalEntityId ? 'entity.update' : 'entity.create');
  const ref = legalEntityId === undefined ? null : ZLegalEntityRef.safeParse({ legalEntityId });
  if (ref && !ref.success) return toActionResult(fail('NOT_FOUND', 'No such legal entity.'));
  const parsed = ZLegalEntity.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  const result = await saveLegalEntity(await services(), {
    actor: await requestActor(user),
    organizationId: user.organizationId,
    ...(ref?.success ? { legalEntityId: ref.data.legalEntityId } : {}),
    entity: parsed.data,
  });
  revalidatePath('/dashboard');
  return toActionResult(result);
}

/** Archives or restores a legal entity; archiving one with credentials in use needs `confirmed`. */
export async function archiveLegalEntityAction(input: { legalEntityId: string; archive: boolean; confirmed?: boolean }): Promise<ActionResult<null>> {
  const user = await requireRole(ADMINS, input.archive ? 'entity.archive' : 'entity.restore');
  const ref = ZLegalEntityRef.safeParse(input);
  if (!ref.success) return toActionResult(fail('NOT_FOUND', 'No such legal entity.'));
  const result = await archiveLegalEntity(await services(), {
    actor: await requestActor(user),
    organizationId: user.organizationId,
    legalEntityId: ref.data.legalEntityId,
    archive: input.archive === true,
    confirmed: input.confirmed === true,
  });
  revalidatePath('/dashboard');
  revalidatePath(`/entities/${ref.data.legalEntityId}`);
  return toActionResult(result);
}

const ZImportFile = z.object({ file: z.base64('Choose a CSV file').max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 4, 'The file is larger than 1 MB; split it.') });

/** Checks a CSV of legal entities and lists every row with its errors; writes nothing. */
export async function previewImportAction(input: { file: string }): Promise<ActionResult<ImportPreview>> {
  const user = await requireRole(ADMINS, 'entity.import');
  const parsed = ZImportFile.safeParse(input);
  if (!parsed.success) return { ok: false, formError: parsed.error.issues[0]?.message ?? 'Choose a CSV file.' };
  return { ok: true, data: await previewImport(await services(), { organizationId: user.organizationId, file: Buffer.from(parsed.data.file, 'base64') }) };
}

/** Imports the CSV if every row is right, all in one transaction; otherwise nothing. */
export async function importEntitiesAction(input: { file: string }): Promise<ActionResult<{ imported: number }>> {
  const user = await requireRole(ADMINS, 'entity.import');
  const parsed = ZImportFile.safeParse(input);
  if (!parsed.success) return { ok: false, formError: parsed.error.issues[0]?.message ?? 'Choose a CSV file.' };
  const result = await importLegalEntities(await services(), { actor: await requestActor(user), organizationId: user.organizationId, file: Buffer.from(parsed.data.file, 'base64') });
  revalidatePath('/dashboard');
  return toActionResult(result);
}
