import { afterEach, describe, expect, it, vi } from 'vitest';
import { admissionGate, hasWellFormedKey, isServiceApiPath } from './admission.mjs';

describe('admission gate', () => {
  afterEach(() => void vi.useRealTimers());

  it('runs up to the limit at once and starts the others in arrival order as slots free', async () => {
    const gate = admissionGate({ limit: 2, maxQueued: 10, maxWaitMs: 60_000 });
    const first = (await gate.admit())!;
    const second = (await gate.admit())!;
    const order: number[] = [];
    const waiting = [3, 4, 5].map((n) => gate.admit().then((release) => (order.push(n), release)));
    expect(gate.stats()).toEqual({ running: 2, queued: 3, shed: 0 });
    first();
    first(); // a second release of the same slot frees nothing more
    const third = (await waiting[0])!;
    expect(gate.stats()).toEqual({ running: 2, queued: 2, shed: 0 });
    second();
    third();
    await Promise.all(waiting.slice(1));
    expect(order).toEqual([3, 4, 5]);
  });

  it('refuses at once when the queue is full, and a request that waited too long', async () => {
    vi.useFakeTimers();
    const gate = admissionGate({ limit: 1, maxQueued: 1, maxWaitMs: 1_000 });
    const running = await gate.admit();
    const queued = gate.admit();
    expect(await gate.admit()).toBeNull(); // the queue is full
    vi.advanceTimersByTime(999);
    expect(gate.stats()).toEqual({ running: 1, queued: 1, shed: 1 });
    vi.advanceTimersByTime(1);
    expect(await queued).toBeNull(); // waited a second with the slot still taken
    expect(gate.stats()).toEqual({ running: 1, queued: 0, shed: 2 }); // the full queue's and the timed-out one
    running!();
    expect(await gate.admit()).toEqual(expect.any(Function));
  });

  it('starts waiting requests after the event loop has polled again, not in the turn that freed the slot', async () => {
    const gate = admissionGate({ limit: 2, maxQueued: 10, maxWaitMs: 60_000 });
    const first = (await gate.admit())!;
    const second = (await gate.admit())!;
    const waiting = [gate.admit(), gate.admit()];
    first();
    second();
    // Still in the releasing turn: nothing started yet, so this turn stays short.
    expect(gate.stats()).toEqual({ running: 0, queued: 2, shed: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    // The check phase of the next turn started both freed slots, in arrival order.
    expect(gate.stats()).toEqual({ running: 2, queued: 0, shed: 0 });
    for (const release of await Promise.all(waiting)) release!();
  });
});

describe('what the gate takes', () => {
  it.each([
    '/api/v1/credentials',
    '/api/v1/credentials/7d4c/access-token?x=1',
    '/./api/v1/credentials',
    '/api/./v1/credentials',
    '/x/../api/v1/credentials',
    '/%2e/api/v1/credentials',
    '/%2E%2E/api/v1/credentials',
    '/credentials/%2e%2e/%2e%2e/api/v1/credentials',
    '//api/v1/credentials',
    '/api//v1/credentials',
    '/api/v%31/credentials',
    '/%2561pi/v1/credentials',
    '\\api\\v1\\credentials',
    '/api\\v1/credentials',
    '/API/v1/credentials',
    '/api/v1',
  ])('gates %j, which the router serves as the service API', (url) => {
    expect(isServiceApiPath(url)).toBe(true);
  });

  it.each(['/dashboard', '/api/health', '/api/auth/session', '/api/v10/x', '/apiv1/x', '/_next/static/chunk.js', '/api/v1/openapi.json', '/./api/v1/openapi.json'])('lets %j through ungated', (url) => {
    expect(isServiceApiPath(url)).toBe(false);
  });

  it.each([
    [{ authorization: `Bearer sr_${'a'.repeat(43)}` }, true],
    [{ authorization: `bearer   sr_${'a'.repeat(43)}` }, true],
    [{ 'x-api-key': `sr_${'A-_9'.repeat(10)}abc` }, true],
    [{}, false],
    [{ authorization: 'Bearer ' }, false],
    [{ authorization: `Bearer sr_${'a'.repeat(42)}` }, false],
    [{ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, false],
    [{ 'x-api-key': `sr_${'a'.repeat(43)}!` }, false],
  ])('a key in %j is well formed: %s', (headers, expected) => {
    expect(hasWellFormedKey(headers)).toBe(expected);
  });
});
