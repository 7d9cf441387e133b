/** Dates as the UI shows them: British order, always UTC (the pages say so). */
export const formatDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format;
export const formatDateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format;

/** "1 event", "2 events", "1,204 events": a count with its noun in the right number. */
export const countOf = (n: number, singular: string, plural = `${singular}s`) => `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;

/** A date (and time) in a time zone, with the zone's name: "13 Dec 2026, 09:00 GST". */
export function formatInZone(date: Date, timeZone: string, { time = false }: { time?: boolean } = {}): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', ...(time ? { timeStyle: 'short' } : {}), timeZone }).format(date) + (time ? ` ${zoneName(date, timeZone)}` : '');
}

function zoneName(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' }).formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? timeZone;
}

/** IANA time zones this runtime knows, for the organization setting. */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];

const OWN_ORIGIN = 'http://strongroom.invalid';

/**
 * A `next` parameter only if it is a path on this site: never a way to send the user elsewhere.
 * Parsed as a URL the way a browser would (which drops tabs and newlines and reads `\` as `/`), and
 * kept only if it stays on our origin and its normalised path starts with exactly one `/`; returned in
 * that normalised form, so what was checked is what the browser is sent to.
 */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(value, OWN_ORIGIN);
  } catch {
    return null;
  }
  // A normalised path that starts with `//` (from `/.//host`, `/a/..//host`, `/%2e//host` …) is
  // protocol-relative: a browser sent there leaves our origin.
  if (url.origin !== OWN_ORIGIN || !url.pathname.startsWith('/') || url.pathname.startsWith('//')) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
