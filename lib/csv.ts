/**
 * CSV that a spreadsheet shows and never runs (OWASP's "CSV injection"): every cell quoted, so a
 * line break stays inside its cell, and every line of a cell that starts like a formula
 * (= + - @, a tab or a carriage return) gets a leading apostrophe, so a program that splits
 * cells on bare line breaks still reads text.
 */

/** Whether a value starts like a spreadsheet formula, ignoring the leading white space (spaces, no-break spaces, a byte-order mark, line separators) a spreadsheet or a trim would drop. */
export const startsLikeFormula = (value: string): boolean => /^[\s\uFEFF]*[=+\-@]/.test(value) || /^[\t\r]/.test(value);

/** One cell, defused line by line and quoted. */
export function csvCell(value: string): string {
  const defused = value.replace(/(^|\r\n|\r|\n)([=+\-@\t\r])/g, "$1'$2");
  return `"${defused.replace(/"/g, '""')}"`;
}

/** One record, with the CRLF line end spreadsheets expect. */
export const csvRecord = (cells: readonly string[]): string => `${cells.map(csvCell).join(',')}\r\n`;
