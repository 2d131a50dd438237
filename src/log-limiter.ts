import type { Clock } from './clock.js';

/**
 * One log line per key per interval, with the count of what was left out: a failing source or
 * a flood of refused admin requests gives a line every `intervalMs`, each saying how many more
 * happened since the last one. Keys are chosen by the caller from a bounded set (source names,
 * a fixed tag), never from client input, so the map is bounded by the config.
 */
export class LogLimiter {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #keys = new Map<string, { lastAt: number; suppressed: number }>();

  constructor(clock: Clock, intervalMs: number) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  /**
   * Call once per event. Returns undefined when the line must be left out, else how many events
   * were left out since the last line (0 for the first one).
   */
  take(key: string): { suppressed: number } | undefined {
    const now = this.#clock.now();
    const k = this.#keys.get(key);
    if (k === undefined) {
      this.#keys.set(key, { lastAt: now, suppressed: 0 });
      return { suppressed: 0 };
    }
    if (now - k.lastAt < this.#intervalMs) {
      k.suppressed++;
      return undefined;
    }
    const suppressed = k.suppressed;
    k.lastAt = now;
    k.suppressed = 0;
    return { suppressed };
  }

  /** Forgets the key (the condition ended). Returns whether it was limited, and the events left out since its last line. */
  end(key: string): { suppressed: number } | undefined {
    const k = this.#keys.get(key);
    if (k === undefined) return undefined;
    this.#keys.delete(key);
    return { suppressed: k.suppressed };
  }
}
