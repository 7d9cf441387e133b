/** Types of admission.mjs (plain JavaScript, since the server entry runs without a compiler). */
export interface AdmissionGate {
  /** Resolves to a release function once the request may run, or to null if it is refused (queue full, or waited too long). */
  admit(): Promise<(() => void) | null>;
  stats(): { running: number; queued: number };
}

export function admissionGate(options: { limit: number; maxQueued: number; maxWaitMs: number }): AdmissionGate;
