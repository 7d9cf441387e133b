/** What a server action returns to its form: data, or a message and errors per field. */
export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; code?: string; formError?: string; fieldErrors?: Record<string, string[]> };

/**
 * Runs a server action from a form and turns a failure to reach it (a body over the server's limit,
 * a dropped connection, a server error) into a message the form shows, instead of a rejected promise
 * that shows nothing.
 */
export async function callAction<T>(run: () => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  try {
    return await run();
  } catch {
    return { ok: false, code: 'UNREACHABLE', formError: 'The server did not take this request (it may be too large, or the connection dropped). Nothing was saved; try again.' };
  }
}
