import { z } from 'zod';

/** C0 and C1 control characters, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A name or label people type: trimmed, one line, no control characters. A line break in a name
 * would start a new row in an export that a spreadsheet reads (CSV injection), and a control
 * character shows as nothing on a page while it changes what a log line or a mail says.
 */
export const oneLineText = ({ min, max, empty }: { min: number; max: number; empty?: string }) =>
  z
    .string()
    .trim()
    .min(min, empty ?? `At least ${min} characters`)
    .max(max, `At most ${max} characters`)
    .refine((value) => !CONTROL.test(value), 'One line, without tabs, line breaks or other control characters');
