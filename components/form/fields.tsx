import { useState } from 'react';
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';

// The accessible markup of every form, in one place: a label tied to its control, help and error
// text the control is described by, `aria-invalid` while it is wrong, and one alert for the form.

/** What a control needs to be tied to its label, help and error. */
export interface ControlProps {
  id: string;
  'aria-invalid': 'true' | 'false';
  'aria-describedby'?: string;
}

export interface FrameProps {
  id: string;
  label: ReactNode;
  /** Shown next to the label. */
  optional?: boolean;
  help?: ReactNode;
  error?: string | undefined;
}

/** A labelled control with its help and error text; `children` renders the control with the props it gets. */
export function Field({ id, label, optional, help, error, children }: FrameProps & { children: (control: ControlProps) => ReactNode }) {
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {optional && <span className="muted"> (optional)</span>}
      </label>
      {children({ id, 'aria-invalid': error ? 'true' : 'false', 'aria-describedby': describedBy })}
      {help && (
        <p id={`${id}-help`} className="muted">
          {help}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export type Native<T> = Omit<T, 'id' | 'aria-invalid' | 'aria-describedby'>;

export function TextField({ id, label, optional, help, error, ...input }: FrameProps & Native<InputHTMLAttributes<HTMLInputElement>>) {
  return <Field {...{ id, label, optional, help, error }}>{(control) => <input {...input} {...control} />}</Field>;
}

export function TextareaField({ id, label, optional, help, error, ...textarea }: FrameProps & Native<TextareaHTMLAttributes<HTMLTextAreaElement>>) {
  return <Field {...{ id, label, optional, help, error }}>{(control) => <textarea {...textarea} {...control} />}</Field>;
}

export function SelectField({
  id,
  label,
  optional,
  help,
  error,
  options,
  ...select
}: FrameProps & Native<SelectHTMLAttributes<HTMLSelectElement>> & { options: readonly (string | { value: string; label: string })[] }) {
  return (
    <Field {...{ id, label, optional, help, error }}>
      {(control) => (
        <select {...select} {...control}>
          {options.map((option) => {
            const { value, label: text } = typeof option === 'string' ? { value: option, label: option } : option;
            return (
              <option key={value} value={value}>
                {text}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}

/** A file chosen in the browser and handed over as base64 (the file never leaves as a file upload); one over `maxBytes` is refused here, before anything is sent. */
export function FileField({ id, label, optional, help, error, accept, maxBytes, onFile }: FrameProps & { accept: string; maxBytes: number; onFile: (base64: string) => void }) {
  const [tooLarge, setTooLarge] = useState<string | null>(null);
  return (
    <Field {...{ id, label, optional, help, error: tooLarge ?? error }}>
      {(control) => (
        <input
          type="file"
          accept={accept}
          {...control}
          onChange={async (event) => {
            const file = event.target.files?.[0];
            const over = file && file.size > maxBytes ? `${file.name} is over ${formatBytes(maxBytes)}: choose a smaller file` : null;
            setTooLarge(over);
            const bytes = file && !over ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array();
            onFile(bytes.length ? btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join('')) : '');
          }}
        />
      )}
    </Field>
  );
}

const formatBytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KiB`);

/** A group of checkboxes under one legend, with one error for the group. */
export function ChoiceGroup({ id, legend, error, children }: { id: string; legend: ReactNode; error?: string | undefined; children: ReactNode }) {
  return (
    <fieldset className="field" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="label">{legend}</legend>
      {children}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** What went wrong with the form as a whole, announced when it appears. */
export function FormError({ id, message }: { id?: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="form-error" role="alert">
      {message}
    </p>
  );
}
