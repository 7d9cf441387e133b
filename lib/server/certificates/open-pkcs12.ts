import 'server-only';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MAX_PKCS12_FILE_BYTES } from '@/lib/schemas/credential-profiles';

/** The largest PKCS#12 file accepted (a certificate, its key and a chain take a few KiB); the form checks it too. */
export const MAX_PKCS12_BYTES = MAX_PKCS12_FILE_BYTES;
/**
 * Key-derivation rounds one PKCS#12 file may ask for: each derivation at most `each` (OpenSSL writes
 * 2,048, Windows 2,000, Java 10,000), all of them together at most `total` (a MAC, the certificates'
 * and the key's encryption). Measured here: a file at the limit (OpenSSL, -iter 100000) opens in
 * 1.2 s in the worker, an ordinary one (2,048) in 0.15 s, worker start included.
 */
export const PKCS12_ITERATION_LIMITS = { each: 100_000, total: 300_000 } as const;
/** A file still opening after this long is stopped, whatever it declared. */
const TIME_LIMIT_MS = 10_000;
/** One file opens at a time; a few more may wait for their turn. */
const MAX_WAITING = 8;

export type Pkcs12Contents = { certificates: Uint8Array[]; privateKey: Uint8Array | null };
export type Pkcs12Failure = 'unreadable' | 'password' | 'too_large' | 'work' | 'timeout' | 'busy';

const WORKER_FILE = join(process.cwd(), 'lib', 'server', 'certificates', 'pkcs12-worker.cjs');

// One queue per process, on globalThis: Next.js gives each bundle (pages, actions, routes, the
// scheduler) its own copy of this module, and a bound per copy would let several files open at once.
const queue = ((globalThis as { strongroomPkcs12Queue?: { running: Promise<unknown>; waiting: number } }).strongroomPkcs12Queue ??= {
  running: Promise.resolve(),
  waiting: 0,
});

/**
 * Opens a PKCS#12 file (DER) with its password in a worker thread, never on the event loop that
 * serves every other request: node-forge's key derivation is synchronous and its cost is whatever
 * the file declares. The size is checked first, every derivation is counted against
 * PKCS12_ITERATION_LIMITS before it runs, and the worker is stopped after a time limit. Files open
 * one at a time in the process, so a burst of connection tests queues here rather than taking every core.
 */
export async function openPkcs12(der: Uint8Array, password: string): Promise<{ ok: true; contents: Pkcs12Contents } | { ok: false; reason: Pkcs12Failure }> {
  if (der.byteLength > MAX_PKCS12_BYTES) return { ok: false, reason: 'too_large' };
  if (queue.waiting >= MAX_WAITING) return { ok: false, reason: 'busy' };
  queue.waiting++;
  const turn = queue.running.then(() => runWorker(der, password));
  queue.running = turn.catch(() => undefined);
  try {
    return await turn;
  } finally {
    queue.waiting--;
  }
}

function runWorker(der: Uint8Array, password: string): Promise<{ ok: true; contents: Pkcs12Contents } | { ok: false; reason: Pkcs12Failure }> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_FILE, {
      workerData: { der, password, maxIterations: PKCS12_ITERATION_LIMITS.each, maxTotalIterations: PKCS12_ITERATION_LIMITS.total },
      // Deeply nested ASN.1 ends in a RangeError inside the worker, never in this process.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 2 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ ok: false, reason: 'timeout' });
    }, TIME_LIMIT_MS);
    const settle = (result: { ok: true; contents: Pkcs12Contents } | { ok: false; reason: Pkcs12Failure }) => {
      clearTimeout(timer);
      resolve(result);
      void worker.terminate();
    };
    worker.once('message', (message: { ok: true; certificates: Uint8Array[]; privateKey: Uint8Array | null } | { ok: false; reason: Pkcs12Failure }) =>
      settle(message.ok ? { ok: true, contents: { certificates: message.certificates, privateKey: message.privateKey } } : message),
    );
    worker.once('error', () => settle({ ok: false, reason: 'unreadable' }));
    worker.once('exit', () => settle({ ok: false, reason: 'unreadable' }));
  });
}
