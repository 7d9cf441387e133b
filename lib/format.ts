/** Dates as the UI shows them: British order, always UTC (the pages say so). */
export const formatDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format;
export const formatDateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format;

const OWN_ORIGIN = 'http://strongroom.invalid';

/**
 * A `next` parameter only if it is a path on this site: never a way to send the user elsewhere.
 * Parsed as a URL the way a browser would (which drops tabs and newlines and reads `\` as `/`), and
 * kept only if it stays on our origin; returned in its normalised form, so what was checked is what
 * the browser is sent to.
 */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(value, OWN_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== OWN_ORIGIN) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
