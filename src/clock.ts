/**
 * Time, injected. Admission and the registry take a Clock so unit tests can
 * drive deadlines and staleness with node:test mock timers or a manual clock.
 */
export interface Clock {
  /** Milliseconds, monotonic enough for deadlines (Date.now in production). */
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export interface Timer {
  unref?(): unknown;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers never keep the process alive: shutdown is driven by the lifecycle, not by pending work.
    t.unref();
    return t;
  },
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
