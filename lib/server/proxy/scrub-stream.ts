import 'server-only';

const REPLACEMENT = Buffer.from('[redacted]');

/**
 * A provider's response body as it arrives, with every occurrence of `secrets` replaced (also across
 * chunk boundaries: the last bytes of a chunk wait for the next), and cut off with an error once over
 * `maxBytes`. `finished` resolves when the body has been passed on, cut off or abandoned by the reader.
 */
export function scrubbedAndCapped(
  body: ReadableStream<Uint8Array>,
  { secrets, maxBytes }: { secrets: readonly string[]; maxBytes: number },
): { stream: ReadableStream<Uint8Array>; finished: Promise<{ bytes: number; complete: boolean }> } {
  const needles = secrets.filter(Boolean).map((secret) => Buffer.from(secret));
  const keep = Math.max(0, ...needles.map((needle) => needle.length - 1));
  const reader = body.getReader();
  let pending: Buffer = Buffer.alloc(0);
  let bytes = 0;
  let finish!: (outcome: { bytes: number; complete: boolean }) => void;
  const finished = new Promise<{ bytes: number; complete: boolean }>((resolve) => (finish = resolve));

  /** Replaces what is complete in `pending` and returns what may be sent (all of it at the end). */
  const scrub = (atEnd: boolean): Buffer => {
    const out: Buffer[] = [];
    let from = 0;
    for (;;) {
      let at = -1;
      let length = 0;
      for (const needle of needles) {
        const found = pending.indexOf(needle, from);
        if (found !== -1 && (at === -1 || found < at)) (at = found), (length = needle.length);
      }
      if (at === -1) break;
      out.push(pending.subarray(from, at), REPLACEMENT);
      from = at + length;
    }
    // A secret starting before `upTo` would end inside `pending`, so it was found above.
    const upTo = atEnd ? pending.length : Math.max(from, pending.length - keep);
    out.push(pending.subarray(from, upTo));
    pending = Buffer.from(pending.subarray(upTo));
    return Buffer.concat(out);
  };

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const read = await reader.read();
          if (read.done) {
            const rest = scrub(true);
            if (rest.length) controller.enqueue(rest);
            controller.close();
            return finish({ bytes, complete: true });
          }
          bytes += read.value.byteLength;
          if (bytes > maxBytes) {
            await reader.cancel();
            controller.error(new Error(`The provider's answer is over ${maxBytes} bytes; cut off.`));
            return finish({ bytes, complete: false });
          }
          const chunk = Buffer.from(read.value.buffer, read.value.byteOffset, read.value.byteLength);
          pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
          const ready = scrub(false);
          if (ready.length) return controller.enqueue(ready);
        }
      } catch (error) {
        controller.error(error);
        finish({ bytes, complete: false });
      }
    },
    async cancel(reason) {
      finish({ bytes, complete: false });
      await reader.cancel(reason);
    },
  });
  return { stream, finished };
}
