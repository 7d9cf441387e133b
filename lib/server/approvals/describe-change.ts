import 'server-only';
import { formatDate } from '@/lib/format';
import { readPemCertificates, sha256Of } from '@/lib/server/certificates/x509';

/** A non-secret setting a request changes, old → new, as the approver reads it; `host` when a URL's host changes. */
export interface SettingChange {
  field: string;
  from: string | null;
  to: string | null;
  host?: { from: string | null; to: string | null };
}

/** A secret version as a request names it: its number and what it holds, by fingerprint. */
export interface VersionFacts {
  number: number;
  fingerprints: Record<string, string>;
}

/** A certificate by subject, end date and the start of its fingerprint (its PEM says nothing to a person); anything else as it is. */
export function describeSetting(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!value.includes('-----BEGIN CERTIFICATE-----')) return value;
  try {
    const [first, ...rest] = readPemCertificates(value);
    if (!first) throw new Error('no certificate');
    const more = rest.length ? ` (and ${rest.length} more in the chain)` : '';
    return `certificate ${first.subject}, valid until ${formatDate(first.notAfter)}, SHA-256 ${sha256Of(first).slice(0, 23)}…${more}`;
  } catch {
    return `a PEM text of ${value.length} characters that is not a readable certificate`;
  }
}

/** The host a URL setting points at, or null when it is not an http(s) URL. */
export function hostOf(value: string | undefined): string | null {
  if (!value || !/^https?:\/\//i.test(value)) return null;
  try {
    return new URL(value).host;
  } catch {
    return null;
  }
}

/** Every setting whose value differs between `before` and `after` (a new credential: every setting it has), old → new. */
export function settingChanges(before: Record<string, string>, after: Record<string, string>): SettingChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .filter((field) => (before[field] ?? '') !== (after[field] ?? ''))
    .map((field) => {
      const [fromHost, toHost] = [hostOf(before[field]), hostOf(after[field])];
      return {
        field,
        from: describeSetting(before[field]),
        to: describeSetting(after[field]),
        ...((fromHost || toHost) && fromHost !== toHost && before[field] ? { host: { from: fromHost, to: toHost } } : {}),
      };
    });
}
