/** What a server action returns to its form: data, or a message and errors per field. */
export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; code?: string; formError?: string; fieldErrors?: Record<string, string[]> };
