import 'server-only';

export type ErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'VALIDATION' | 'INTEGRITY' | 'INVALID_STATE' | 'FORBIDDEN' | 'STEP_UP_REQUIRED' | 'TWO_FACTOR_REQUIRED' | 'RATE_LIMITED' | 'PROVIDER_UNREACHABLE' | 'CONFIRMATION_REQUIRED' | 'KEYS_UNAVAILABLE';

/** An expected failure: a code for programs, a sentence for people, and errors per form field. */
export interface Failure {
  code: ErrorCode;
  message: string;
  fieldErrors?: Record<string, string[]>;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: Failure };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string, fieldErrors?: Record<string, string[]>): { ok: false; error: Failure } => ({
  ok: false,
  error: fieldErrors ? { code, message, fieldErrors } : { code, message },
});

/** Field errors from a zod error, keyed by the dotted path the form uses ("values.clientSecret"). */
export function fieldErrorsOf(error: { issues: { path: PropertyKey[]; message: string }[] }): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const name = issue.path.map(String).join('.') || '_form';
    (errors[name] ??= []).push(issue.message);
  }
  return errors;
}

/** Errors about a credential's profile values, keyed as the form names them. */
export const valueFieldErrors = (errors: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(errors).map(([name, messages]) => [name === '_form' ? name : `values.${name}`, messages]));
