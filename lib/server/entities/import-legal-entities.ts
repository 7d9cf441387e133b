import { countOf } from '@/lib/format';
import 'server-only';
import { parse } from 'csv-parse/sync';
import { startsLikeFormula } from '@/lib/csv';
import { MAX_IMPORT_BYTES, ZLegalEntity } from '@/lib/schemas/legal-entity';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { fail, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import { Prisma } from '@/prisma/generated/client';

export { MAX_IMPORT_BYTES };
export const MAX_IMPORT_ROWS = 5000;
const REQUIRED = ['name', 'country', 'tax_id'] as const;
const COLUMNS = [...REQUIRED, 'external_reference'];

export interface ImportRow {
  /** Line in the file (the header is line 1). */
  line: number;
  name: string;
  country: string;
  taxId: string;
  externalRef: string | null;
  errors: string[];
}

export interface ImportPreview {
  /** Problems of the file as a whole (encoding, size, columns); no rows are listed then. */
  fileErrors: string[];
  rows: ImportRow[];
}

/**
 * Reads a CSV of legal entities (header: name, country, tax_id, optional external_reference; UTF-8)
 * and checks every row as the entity form would, plus duplicates inside the file and against the
 * organization. Writes nothing.
 */
export async function previewImport({ prisma }: Pick<Services, 'prisma'>, { organizationId, file }: { organizationId: string; file: Uint8Array }): Promise<ImportPreview> {
  const parsed = parseFile(file);
  if ('fileErrors' in parsed) return { fileErrors: parsed.fileErrors, rows: [] };
  const rows = parsed.records.map((record, index): ImportRow => {
    const cells = { name: record.name ?? '', country: (record.country ?? '').trim().toUpperCase(), taxId: record.tax_id ?? '', externalRef: record.external_reference ?? '' };
    const errors = Object.entries(cells)
      .filter(([, value]) => startsLikeFormula(value))
      .map(([field]) => `${label(field)} starts with = + - or @, which a spreadsheet would run as a formula`);
    const checked = ZLegalEntity.safeParse(cells);
    if (!checked.success) errors.push(...checked.error.issues.map((issue) => `${label(String(issue.path[0]))}: ${issue.message}`));
    const value = checked.success ? checked.data : cells;
    return { line: index + 2, name: value.name, country: value.country, taxId: value.taxId, externalRef: value.externalRef || null, errors };
  });
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    if (row.errors.length) continue;
    const seen = firstLine.get(row.taxId);
    if (seen) row.errors.push(`Tax id ${row.taxId} is also on line ${seen}`);
    else firstLine.set(row.taxId, row.line);
  }
  const existing = await prisma.legalEntity.findMany({ where: { organizationId, taxId: { in: [...firstLine.keys()] } }, select: { name: true, taxId: true } });
  const holders = new Map(existing.map((entity) => [entity.taxId, entity.name]));
  for (const row of rows) {
    const holder = holders.get(row.taxId);
    if (holder && !row.errors.length) row.errors.push(`${holder} already has the tax id ${row.taxId}`);
  }
  return { fileErrors: [], rows };
}

/**
 * Imports the file if every row is right: all rows in one transaction and one audit event with the
 * count, or nothing at all. The file is checked again here, whatever a preview said.
 */
export async function importLegalEntities(
  services: Pick<Services, 'prisma'>,
  { actor, organizationId, file }: { actor: Actor; organizationId: string; file: Uint8Array },
): Promise<Result<{ imported: number }>> {
  const { prisma } = services;
  const refuse = (message: string) => recordRefusal(prisma, { actor, organizationId, action: 'entity.import', failure: fail('VALIDATION', message).error });
  const preview = await previewImport(services, { organizationId, file });
  if (preview.fileErrors.length) return refuse(preview.fileErrors.join(' '));
  const wrong = preview.rows.filter((row) => row.errors.length);
  if (wrong.length) return refuse(`${wrong.length} of ${countOf(preview.rows.length, 'row')} ${wrong.length === 1 ? 'has' : 'have'} errors; nothing was imported.`);
  try {
    await prisma.$transaction(async (tx) => {
      await tx.legalEntity.createMany({ data: preview.rows.map(({ name, country, taxId, externalRef }) => ({ organizationId, name, country, taxId, externalRef })) });
      await appendAuditEvent(tx, { actor, action: 'entity.import', organizationId, outcome: 'SUCCESS', details: { rows: preview.rows.length } });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return refuse('One of these tax ids was added meanwhile; nothing was imported. Preview the file again.');
    throw error;
  }
  return ok({ imported: preview.rows.length });
}

const label = (field: string) => ({ name: 'Name', country: 'Country', taxId: 'Tax id', externalRef: 'External reference' })[field] ?? field;

function parseFile(file: Uint8Array): { records: Record<string, string>[] } | { fileErrors: string[] } {
  if (file.length === 0) return { fileErrors: ['The file is empty.'] };
  if (file.length > MAX_IMPORT_BYTES) return { fileErrors: [`The file is ${(file.length / 1048576).toFixed(1)} MB; at most 1 MB (about ${MAX_IMPORT_ROWS} rows) per import. Split it.`] };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    return { fileErrors: ['The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.'] };
  }
  // Spreadsheets set to a decimal comma save with semicolons: the header line tells which.
  const headerLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = headerLine.includes(';') && !headerLine.includes(',') ? ';' : ',';
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, delimiter, to: MAX_IMPORT_ROWS + 2 });
  } catch (error) {
    return { fileErrors: [`The file is not valid CSV: ${(error as Error).message.split('\n')[0]}`] };
  }
  const [header, ...body] = rows;
  if (!header) return { fileErrors: ['The file is empty.'] };
  const names = header.map((cell) => cell.toLowerCase());
  const missing = REQUIRED.filter((column) => !names.includes(column));
  const unknown = names.filter((column) => !COLUMNS.includes(column));
  const problems = [
    ...(missing.length ? [`Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`] : []),
    ...(unknown.length ? [`Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (expected ${COLUMNS.join(', ')}).`] : []),
  ];
  if (new Set(names).size !== names.length) problems.push('A column is named twice.');
  if (problems.length) return { fileErrors: [...problems, 'The first line must name the columns.'] };
  if (body.length === 0) return { fileErrors: ['The file has a header but no rows.'] };
  if (body.length > MAX_IMPORT_ROWS) return { fileErrors: [`More than ${MAX_IMPORT_ROWS} rows; split the file.`] };
  const records: Record<string, string>[] = [];
  for (const [index, cells] of body.entries()) {
    if (cells.length !== names.length) return { fileErrors: [`Line ${index + 2} has ${cells.length} cells; the header has ${names.length}.`] };
    records.push(Object.fromEntries(names.map((name, i) => [name, cells[i] ?? ''])));
  }
  return { records };
}
