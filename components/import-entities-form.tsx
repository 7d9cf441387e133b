'use client';

import Link from 'next/link';
import { useState } from 'react';
import { importEntitiesAction, previewImportAction } from '@/app/(app)/entities/actions';
import { FileField, FormError } from '@/components/form/fields';
import { callAction } from '@/lib/schemas/action-result';
import { MAX_IMPORT_BYTES } from '@/lib/schemas/legal-entity';
import type { ImportPreview } from '@/lib/server/entities/import-legal-entities';

/** Choose a CSV → preview every row with its errors → import all or nothing. */
export function ImportEntitiesForm() {
  const [file, setFile] = useState('');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [imported, setImported] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  const check = () =>
    run(async () => {
      const result = await callAction(() => previewImportAction({ file }));
      if (result.ok) setPreview(result.data);
      else setError(result.formError ?? 'The file could not be read.');
    });
  const commit = () =>
    run(async () => {
      const result = await callAction(() => importEntitiesAction({ file }));
      if (result.ok) setImported(result.data.imported);
      else setError(result.formError ?? 'Nothing was imported.');
    });

  if (imported !== null) {
    return (
      <p role="status">
        {imported} legal {imported === 1 ? 'entity' : 'entities'} imported. <Link href="/dashboard">Back to the dashboard</Link>
      </p>
    );
  }
  const wrong = preview?.rows.filter((row) => row.errors.length).length ?? 0;
  return (
    <div>
      <FormError message={error} />
      <FileField
        id="import-file"
        label="CSV file"
        accept=".csv,text/csv"
        maxBytes={MAX_IMPORT_BYTES}
        onFile={(base64) => {
          setFile(base64);
          setPreview(null);
        }}
      />
      <button type="button" onClick={check} disabled={!file || busy}>
        Check the file
      </button>
      {preview && preview.fileErrors.length > 0 && (
        <ul className="form-error" role="alert" aria-label="Problems with the file">
          {preview.fileErrors.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      {preview && preview.rows.length > 0 && (
        <>
          <p role="status">
            {preview.rows.length} {preview.rows.length === 1 ? 'row' : 'rows'}
            {wrong ? `, ${wrong} with errors: fix them in the file and check it again. Nothing is imported while any row is wrong.` : ', all right.'}
          </p>
          <table>
            <caption className="muted caption-start">Rows of the file</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Name</th>
                <th scope="col">Country</th>
                <th scope="col">Tax id</th>
                <th scope="col">Reference</th>
                <th scope="col">Check</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((row) => (
                <tr key={row.line}>
                  <td>{row.line}</td>
                  <td>{row.name}</td>
                  <td>{row.country}</td>
                  <td>{row.taxId}</td>
                  <td>{row.externalRef}</td>
                  <td className={row.errors.length ? 'field-error' : undefined}>{row.errors.length ? row.errors.join('; ') : 'OK'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {wrong === 0 && (
            <button type="button" onClick={commit} disabled={busy}>
              Import {preview.rows.length} {preview.rows.length === 1 ? 'entity' : 'entities'}
            </button>
          )}
        </>
      )}
    </div>
  );
}
