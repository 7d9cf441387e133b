import 'server-only';

/**
 * The error codes of RFC 6749 §5.2, RFC 6750 §3.1 and RFC 8707 that a token endpoint may answer
 * with. A provider's `error` (body or WWW-Authenticate) is kept only if it is one of these: any other
 * text could be anything, an echoed secret included.
 */
const OAUTH_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_token',
  'insufficient_scope',
  'invalid_target',
  'server_error',
  'temporarily_unavailable',
  'access_denied',
  'slow_down',
]);

/** A provider's OAuth error as one of the known codes, else the generic `oauth_error`. */
export function knownOAuthError(raw: unknown): string {
  return typeof raw === 'string' && OAUTH_ERROR_CODES.has(raw) ? raw : 'oauth_error';
}

/** The spellings a secret takes on the wire: raw, URL-encoded (both ways), JSON-escaped, base64. */
function spellings(secret: string): string[] {
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
  ];
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/**
 * Removes every secret from text that may hold a provider's words or ours about a request that
 * carried them, in every spelling a request uses (a `client_secret_basic` header sends
 * base64(urlencode(id) ":" urlencode(secret)): pass that pair as a secret too), and caps the length.
 * Secrets shorter than 4 characters are left alone: removing them would mangle ordinary words.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of spellings(secret)) clean = clean.split(form).join('[redacted]');
  }
  return clean.replace(/[\r\n\t]+/g, ' ').slice(0, 300);
}
