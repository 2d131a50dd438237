/**
 * The main event loop's heartbeat, shared with the admin worker through a SharedArrayBuffer:
 * the main thread stores the monotonic time (process.hrtime, the same CLOCK_MONOTONIC in every
 * thread) on a timer; the worker reads how long ago that was. A loop that is busy for a moment
 * beats late; a loop that is stuck stops beating, and /health/live says so.
 */
export const HEARTBEAT_BYTES = BigInt64Array.BYTES_PER_ELEMENT;

/** Often enough that a 100 ms hiccup is not mistaken for a stall, rarely enough to cost nothing. */
const BEAT_EVERY_MS = 100;

export class LoopHeartbeat {
  readonly buffer = new SharedArrayBuffer(HEARTBEAT_BYTES);
  readonly #view = new BigInt64Array(this.buffer);
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    if (this.#timer) return;
    this.#beat();
    // unref: the heartbeat never keeps the process alive on its own.
    this.#timer = setInterval(() => this.#beat(), BEAT_EVERY_MS).unref();
  }

  #beat(): void {
    Atomics.store(this.#view, 0, process.hrtime.bigint());
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  destroy(): void {
    this.close();
  }
}

/** Milliseconds since the main loop last beat (the worker's side). */
export function heartbeatAgeMs(buffer: SharedArrayBuffer): number {
  const last = Atomics.load(new BigInt64Array(buffer), 0);
  return Number(process.hrtime.bigint() - last) / 1e6;
}
