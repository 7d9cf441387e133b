'use client';

import { useState, type TextareaHTMLAttributes } from 'react';
import { Field, type FrameProps, type Native } from '@/components/form/fields';

/**
 * A PEM text area with a file chooser beside it: a PEM, CRT, CER, KEY or DER file is read in the
 * browser and put into the text area as PEM (`readFile` says how, or returns null to refuse it).
 */
export function PemField({
  id,
  label,
  optional,
  help,
  error,
  readFile,
  onText,
  ...textarea
}: FrameProps & Native<TextareaHTMLAttributes<HTMLTextAreaElement>> & { readFile: (bytes: Uint8Array) => string | null; onText: (text: string) => void }) {
  const [fileError, setFileError] = useState<string | null>(null);
  return (
    <Field {...{ id, label, optional, help, error: fileError ?? error }}>
      {(control) => (
        <>
          <textarea {...textarea} {...control} />
          <label className="file-choice">
            <span className="muted">Or choose a file (PEM, CRT, CER, KEY or DER): </span>
            <input
              type="file"
              accept=".pem,.crt,.cer,.der,.key,.txt,application/x-x509-ca-cert,application/pkix-cert"
              aria-label={`${typeof label === 'string' ? label : 'PEM'} file`}
              onChange={async (event) => {
                const file = event.target.files?.[0];
                if (!file) return;
                const text = readFile(new Uint8Array(await file.arrayBuffer()));
                setFileError(text === null ? `${file.name} is not a PEM or DER file` : null);
                if (text !== null) onText(text);
              }}
            />
          </label>
        </>
      )}
    </Field>
  );
}
