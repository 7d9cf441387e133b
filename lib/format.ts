/** Dates as the UI shows them: British order, always UTC (the pages say so). */
export const formatDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format;
export const formatDateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format;

/** A `next` parameter only if it is a path on this site: never a way to send the user elsewhere. */
export function safeReturnPath(value: unknown): string | null {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : null;
}
