import 'server-only';
import type { ActionResult } from '@/lib/schemas/action-result';
import type { Result } from '@/lib/server/result';

/** Maps an operation's result to what a form shows: never more than the message and field names. */
export function toActionResult<T>(result: Result<T>): ActionResult<T> {
  if (result.ok) return result;
  return { ok: false, code: result.error.code, formError: result.error.message, ...(result.error.fieldErrors ? { fieldErrors: result.error.fieldErrors } : {}) };
}
