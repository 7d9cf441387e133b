import { afterEach, describe, expect, it, vi } from 'vitest';
import { admissionGate } from './admission.mjs';

describe('admission gate', () => {
  afterEach(() => void vi.useRealTimers());

  it('runs up to the limit at once and starts the others in arrival order as slots free', async () => {
    const gate = admissionGate({ limit: 2, maxQueued: 10, maxWaitMs: 60_000 });
    const first = (await gate.admit())!;
    const second = (await gate.admit())!;
    const order: number[] = [];
    const waiting = [3, 4, 5].map((n) => gate.admit().then((release) => (order.push(n), release)));
    expect(gate.stats()).toEqual({ running: 2, queued: 3 });
    first();
    first(); // a second release of the same slot frees nothing more
    const third = (await waiting[0])!;
    expect(gate.stats()).toEqual({ running: 2, queued: 2 });
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
    expect(gate.stats()).toEqual({ running: 1, queued: 1 });
    vi.advanceTimersByTime(1);
    expect(await queued).toBeNull(); // waited a second with the slot still taken
    expect(gate.stats()).toEqual({ running: 1, queued: 0 });
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
    expect(gate.stats()).toEqual({ running: 0, queued: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    // The check phase of the next turn started both freed slots, in arrival order.
    expect(gate.stats()).toEqual({ running: 2, queued: 0 });
    for (const release of await Promise.all(waiting)) release!();
  });
});
