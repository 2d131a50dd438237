import type { Clock, Timer } from '../clock.js';

/**
 * Runs `attempt` every `intervalMs`, never overlapping: the next run is armed
 * only after the previous one settled, so a slow control plane cannot pile up
 * requests. Each attempt gets an AbortSignal that fires on close().
 * Timers are unref'd by the clock: polling never keeps the process alive.
 */
export class PollLoop {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #attempt: (signal: AbortSignal) => Promise<void>;
  readonly #abort = new AbortController();
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(opts: { clock: Clock; intervalMs: number; attempt: (signal: AbortSignal) => Promise<void> }) {
    this.#clock = opts.clock;
    this.#intervalMs = opts.intervalMs;
    this.#attempt = opts.attempt;
  }

  start(): void {
    if (this.#closed || this.#running || this.#timer) return;
    this.#run();
  }

  /** Runs an attempt now (e.g. after an event) unless one is already in flight. */
  kick(): void {
    if (this.#closed || this.#running) return;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#run();
  }

  #run(): void {
    this.#running = this.#attempt(this.#abort.signal)
      .catch(() => {
        // attempt() reports its own failures; a throw here must not become an unhandled rejection.
      })
      .finally(() => {
        this.#running = undefined;
        if (!this.#closed) this.#timer = this.#clock.setTimeout(() => {
          this.#timer = undefined;
          this.#run();
        }, this.#intervalMs);
      });
  }

  /** Stops re-arming, aborts the attempt in flight and waits for it to settle. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running;
  }
}
