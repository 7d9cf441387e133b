import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/server/audit/append-audit-event';
import type { Database } from '@/lib/server/db/open-database';
import { exportLegalEntities } from '@/lib/server/entities/export-legal-entities';
import { importLegalEntities, previewImport } from '@/lib/server/entities/import-legal-entities';
import { seedDemo } from '@/lib/server/seed/seed-demo';
import { openTestDatabase, testDatabaseKinds } from '@/lib/server/test-support/test-database';

const utf8 = (text: string) => new TextEncoder().encode(text);
const GOOD = 'name,country,tax_id,external_reference\nAcme Polska,PL,526-025-02-74,ERP-PL\nAcme Italia,IT,IT00743110157,\n';

describe.each(testDatabaseKinds())('legal entities CSV on %s', (kind) => {
  let db: Database;
  let organizationId: string;
  let actor: Actor;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db.prisma, { demoPassword: 'csv-test-password' });
    const admin = await db.prisma.user.findFirstOrThrow({ where: { email: 'admin@demo.example' } });
    organizationId = admin.organizationId;
    actor = { type: 'USER', id: admin.id, label: admin.email };
  });
  afterAll(async () => db.close());

  const preview = (file: Uint8Array) => previewImport(db, { organizationId, file });
  const entityCount = () => db.prisma.legalEntity.count({ where: { organizationId } });

  it.each([
    ['empty', new Uint8Array(), 'The file is empty.'],
    ['over 1 MB', utf8(`name,country,tax_id\n${'x'.repeat(1024 * 1024)}`), 'at most 1 MB'],
    ['Latin-1, not UTF-8', Uint8Array.from([...utf8('name,country,tax_id\nSoci'), 0xe9, ...utf8('t\u00e9,FR,123456\n')]), 'not UTF-8'],
    ['missing a column', utf8('name,country\nAcme,PL\n'), 'Missing column: tax_id.'],
    ['an unknown column', utf8('name,country,tax_id,iban\nAcme,PL,5260250274,PL00\n'), 'Unknown column: iban'],
    ['a header only', utf8('name,country,tax_id\n'), 'has a header but no rows'],
    ['a row with a cell too many', utf8('name,country,tax_id\nAcme,PL,5260250274,extra\n'), 'Line 2 has 4 cells; the header has 3.'],
  ])('refuses a file that is %s as a whole, writing nothing', async (_case, file, message) => {
    const before = await entityCount();
    const result = await preview(file);
    expect(result.rows).toEqual([]);
    expect(result.fileErrors.join(' ')).toContain(message);
    expect(await importLegalEntities(db, { actor, organizationId, file })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await entityCount()).toBe(before);
  });

  it('lists every row with its errors (rule, duplicates in the file and in the organization, formulas) and imports nothing', async () => {
    const gulf = await db.prisma.legalEntity.findFirstOrThrow({ where: { name: 'Gulf Trading FZ-LLC' } });
    const file = utf8(
      [
        'Name,Country,Tax_ID',
        'Acme Polska,PL,5260250274',
        'Acme Polska bis,pl,526 025 02 74',
        'Wrong NIP,PL,5260250275',
        `Copy of Gulf,AE,${gulf.taxId}`,
        '"=HYPERLINK(""http://evil.example"")",DE,DE136695976',
        'Nowhere,XX,123',
      ].join('\r\n'),
    );
    const before = await entityCount();
    const result = await preview(file);
    expect(result.fileErrors).toEqual([]);
    expect(result.rows.map((row) => [row.line, row.errors])).toEqual([
      [2, []],
      [3, ['Tax id 5260250274 is also on line 2']],
      [4, ['Tax id: A Polish NIP is 10 digits whose last digit matches the weighted checksum of the first nine.']],
      [5, [`Gulf Trading FZ-LLC already has the tax id ${gulf.taxId}`]],
      [6, ['Name starts with = + - or @, which a spreadsheet would run as a formula']],
      [7, ['Country: Choose a country']],
    ]);
    expect(await importLegalEntities(db, { actor, organizationId, file })).toMatchObject({ ok: false, error: { message: '5 of 6 rows have errors; nothing was imported.' } });
    expect(await entityCount()).toBe(before);
    expect(await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'entity.import' }, orderBy: { seq: 'desc' } })).toMatchObject({ outcome: 'DENIED' });
  });

  it.each([
    ['a leading space', ' =1+1'],
    ['a no-break space', '\u00a0=1+1'],
    ['a byte-order mark', '\uFEFF=1+1'],
    ['a line separator', '\u2028=1+1'],
    ['a tab', '\t=1+1'],
  ])('finds a formula behind %s, which the trim would drop', async (_case, name) => {
    const result = await preview(utf8(`name,country,tax_id\n"${name}",DE,DE136695976\n`));
    expect(result.rows[0]!.errors).toContain('Name starts with = + - or @, which a spreadsheet would run as a formula');
  });

  it.each([
    ['a line feed', 'Acme\n=1+1'],
    ['a carriage return', 'Acme\r@SUM(A1)'],
    ['a line separator', 'Acme\u2028Polska'],
    ['a NUL', 'Acme\u0000'],
  ])('refuses a name or reference with %s, writing nothing', async (_case, name) => {
    const before = await entityCount();
    const file = utf8(`name,country,tax_id,external_reference\nAcme,DE,DE136695976,"${name}"\n"${name}",DE,DE811569869,\n`);
    const result = await preview(file);
    expect(result.rows.map((row) => row.errors)).toEqual([
      ['External reference: One line, without tabs, line breaks or other control characters'],
      ['Name: One line, without tabs, line breaks or other control characters'],
    ]);
    expect(await importLegalEntities(db, { actor, organizationId, file })).toMatchObject({ ok: false });
    expect(await entityCount()).toBe(before);
  });

  it('imports a right file (comma or semicolon) all at once, audited as one event with the count', async () => {
    const before = await entityCount();
    expect(await importLegalEntities(db, { actor, organizationId, file: utf8(`\uFEFF${GOOD}`) })).toEqual({ ok: true, data: { imported: 2 } });
    expect(await importLegalEntities(db, { actor, organizationId, file: utf8('name;country;tax_id\n"Acme; Deutschland";DE;DE 811 569 869\n') })).toEqual({ ok: true, data: { imported: 1 } });
    expect(await entityCount()).toBe(before + 3);
    const stored = await db.prisma.legalEntity.findMany({ where: { taxId: { in: ['5260250274', '00743110157', 'DE811569869'] } }, orderBy: { taxId: 'asc' } });
    expect(stored.map((e) => [e.name, e.taxId, e.externalRef])).toEqual([
      ['Acme Italia', '00743110157', null],
      ['Acme Polska', '5260250274', 'ERP-PL'],
      ['Acme; Deutschland', 'DE811569869', null],
    ]);
    const events = await db.prisma.auditEvent.findMany({ where: { action: 'entity.import', outcome: 'SUCCESS' }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.details)).toEqual([{ rows: 2 }, { rows: 1 }]);
    // The same file again: every row now clashes with the organization.
    expect(await importLegalEntities(db, { actor, organizationId, file: utf8(GOOD) })).toMatchObject({ ok: false });
  });

  it('exports entities with their credentials’ status, never a setting, and defuses formulas', async () => {
    await db.prisma.legalEntity.create({ data: { organizationId, name: '=cmd|"/c calc"!A1', country: 'FR', taxId: 'FR40303265045' } });
    const csv = await exportLegalEntities(db, { organizationId });
    expect(csv.startsWith('\uFEFF"entity","country","tax_id","external_reference","entity_archived","credential","type","environment","status"')).toBe(true);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.tax_id === 'FR40303265045')?.entity).toBe(`'=cmd|"/c calc"!A1`);
    expect(rows.find((r) => r.credential === 'Direct DCTCE')).toMatchObject({ entity: 'Gulf Trading FZ-LLC', environment: 'production', status: expect.any(String) });
    // Names stored before line breaks were refused: each stays in its quoted cell, and no line of the
    // file starts like a formula for a program that splits on bare line breaks.
    await db.prisma.legalEntity.create({ data: { organizationId, name: 'Acme\n=1+1\r@SUM(A1)\r\n-2', country: 'FR', taxId: 'FR83404833048' } });
    const withBreaks = await exportLegalEntities(db, { organizationId });
    expect(withBreaks.split(/\r\n|\r|\n/).filter((line) => /^[\t]?[=+\-@]/.test(line))).toEqual([]);
    const reread = parse(withBreaks, { bom: true, columns: true }) as Record<string, string>[];
    expect(reread.find((r) => r.tax_id === 'FR83404833048')?.entity).toBe("Acme\n'=1+1\r'@SUM(A1)\r\n'-2");
    // Non-secret settings stay out too (the client id of the demo slot, its base URL).
    expect(csv).not.toContain('gulf-trading-erp');
    expect(csv).not.toContain('sandbox.asp.example');
  });
});
