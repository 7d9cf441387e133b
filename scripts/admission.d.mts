/** Types of admission.mjs (plain JavaScript, since the server entry runs without a compiler). */
export interface AdmissionGate {
  /** Resolves to a release function once the request may run, or to null if it is refused (queue full, or waited too long). */
  admit(): Promise<(() => void) | null>;
  /** Running and waiting now; refused since the start. */
  stats(): { running: number; queued: number; shed: number };
}

export function admissionGate(options: { limit: number; maxQueued: number; maxWaitMs: number }): AdmissionGate;

/** Whether a request target is the service API once normalised as the router normalises it. */
export function isServiceApiPath(rawUrl?: string): boolean;

/** Whether the request carries an API-key-shaped credential (Bearer or X-API-Key). */
export function hasWellFormedKey(headers: Record<string, string | string[] | undefined>): boolean;
