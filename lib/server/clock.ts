import 'server-only';

// The one clock. Code that depends on "now" (token refresh points and expiry, cooldowns) reads it
// here, so a test moves time instead of waiting for it to pass.
let source: () => number = Date.now;

/** Milliseconds since the epoch, as this process's clock says. */
export const nowMs = (): number => source();

export const now = (): Date => new Date(source());

/** Tests only: replaces the clock; the returned function restores the real one. */
export function setClock(clock: () => number): () => void {
  source = clock;
  return () => {
    source = Date.now;
  };
}
