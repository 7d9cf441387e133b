// Admission control in front of the app: at most `limit` requests run at once, the rest wait in
// arrival order, and one that has waited `maxWaitMs` (or finds `maxQueued` ahead of it) is refused
// at once with 503 and Retry-After, which a client can act on. Why it exists: libuv accepts one new
// connection per event-loop iteration (libuv#3696), so when every iteration runs the work of every
// ready request, a burst of new connections waits in the kernel's accept queue for seconds. Bounding
// the work in flight, and starting waiting requests only between iterations, keeps iterations short,
// so connections are accepted and served in order.

/**
 * @param {{ limit: number, maxQueued: number, maxWaitMs: number }} options
 * @returns {{ admit(): Promise<(() => void) | null>, stats(): { running: number, queued: number, shed: number } }}
 *   `admit` resolves to a release function once the request may run, or to null if it is refused;
 *   `stats` counts those running and waiting now, and those refused since the start.
 */
export function admissionGate({ limit, maxQueued, maxWaitMs }) {
  let running = 0;
  let shed = 0;
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
      if (queue.length >= maxQueued) return (shed++, Promise.resolve(null));
      return new Promise((resolve) => {
        const entry = {
          start: () => resolve(started()),
          timer: setTimeout(() => {
            queue.splice(queue.indexOf(entry), 1);
            shed++;
            resolve(null);
          }, maxWaitMs),
        };
        queue.push(entry);
      });
    },
    stats: () => ({ running, queued: queue.length, shed }),
  };
}

/**
 * Whether a request is for the service API (`/api/v1/…`) as the router will see it: the path
 * normalised as a URL parser does (dot segments in every spelling, `%2e` included, backslashes),
 * repeated slashes folded and percent-escapes decoded (its public OpenAPI document aside). Matching
 * the raw URL would let `/./api/v1/…`,
 * `/x/../api/v1/…` or `/%2e/api/v1/…` past the gate while Next.js serves them as the API.
 *
 * @param {string | undefined} rawUrl the request line's target
 */
export function isServiceApiPath(rawUrl = '') {
  let path;
  try {
    path = new URL(`http://gate.invalid/${rawUrl.replace(/^[/\\]+/, '')}`).pathname;
  } catch {
    return true; // unparseable: the gate takes it, and the app refuses it
  }
  for (let i = 0; i < 3; i++) {
    let decoded;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return true;
    }
    const normal = new URL(`http://gate.invalid/${decoded.replace(/[/\\]+/g, '/').replace(/^\//, '')}`).pathname.replace(/\/+/g, '/');
    // The OpenAPI document is static and public: no key, no database, no slot.
    if (/^\/api\/v1(\/|$)/i.test(normal)) return !/^\/api\/v1\/openapi\.json$/.test(normal);
    if (normal === path) return false;
    path = normal;
  }
  return true;
}

const KEY_SHAPE = /^sr_[A-Za-z0-9_-]{43}$/;

/**
 * Whether a request carries something shaped like an API key (Authorization: Bearer or X-API-Key),
 * the only kind worth a slot: without one the answer is 401 whatever the database says, so the gate
 * gives it at once and a flood of such requests never waits in line before a client with a key.
 *
 * @param {import('node:http').IncomingHttpHeaders} headers
 */
export function hasWellFormedKey(headers) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(String(headers.authorization ?? ''))?.[1];
  const key = bearer ?? (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : '');
  return KEY_SHAPE.test(key);
}
