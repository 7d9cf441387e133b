// Admission control in front of the app: at most `limit` requests run at once, the rest wait in
// arrival order, and one that has waited `maxWaitMs` (or finds `maxQueued` ahead of it) is refused
// at once with 503 and Retry-After, which a client can act on. Why it exists: libuv accepts one new
// connection per event-loop iteration (libuv#3696), so when every iteration runs the work of every
// ready request, a burst of new connections waits in the kernel's accept queue for seconds. Bounding
// the work in flight, and starting waiting requests only between iterations, keeps iterations short,
// so connections are accepted and served in order.

/**
 * @param {{ limit: number, maxQueued: number, maxWaitMs: number }} options
 * @returns {{ admit(): Promise<(() => void) | null>, stats(): { running: number, queued: number } }}
 *   `admit` resolves to a release function once the request may run, or to null if it is refused.
 */
export function admissionGate({ limit, maxQueued, maxWaitMs }) {
  let running = 0;
  /** @type {{ start: () => void, timer: NodeJS.Timeout }[]} */
  const queue = [];
  // Freed slots go to waiting requests in the check phase of the event-loop turn (setImmediate), not
  // in the turn that freed them: a request finishing inside the poll phase would otherwise start the
  // next one there, that one the next, and the turn would grow until it had run the queue, while
  // libuv accepts one new connection per turn. Measured at 200 connections on the embedded database:
  // worst request 0.7–1.7 s instead of 2.2–2.6 s, throughput unchanged (README "Benchmarks").
  let pumping = false;
  const pump = () => {
    pumping = false;
    while (running < limit && queue.length > 0) {
      const next = queue.shift();
      clearTimeout(next.timer);
      next.start();
    }
  };
  const schedule = () => {
    if (!pumping && queue.length > 0) (pumping = true), setImmediate(pump);
  };
  const release = () => {
    running--;
    schedule();
  };
  const started = () => {
    running++;
    let released = false;
    return () => {
      if (!released) (released = true), release();
    };
  };
  return {
    admit() {
      if (running < limit && queue.length === 0) return Promise.resolve(started());
      if (queue.length >= maxQueued) return Promise.resolve(null);
      return new Promise((resolve) => {
        const entry = {
          start: () => resolve(started()),
          timer: setTimeout(() => {
            queue.splice(queue.indexOf(entry), 1);
            resolve(null);
          }, maxWaitMs),
        };
        queue.push(entry);
      });
    },
    stats: () => ({ running, queued: queue.length }),
  };
}
