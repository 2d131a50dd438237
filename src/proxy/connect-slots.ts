import { ErrorCodes, RealmgateError } from '../errors.js';
import { type InLine, Line } from './line.js';

/** A connect waiting for a slot: started in arrival order, or dropped when its client leaves. */
interface Waiter extends InLine {
  start: () => void;
  fail: (err: RealmgateError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Bounds the upstream connections that are opened but not yet answered (`upstream.maxConnecting`).
 *
 * Why: TCP connect completes when the upstream's kernel has queued the connection, before the
 * upstream accept()s it. When a realm turns ready and thousands of held clients are released at
 * once, their connects fill the upstream's listen queue (Twisted's default backlog is 50); the
 * kernel then drops further SYNs, and each dropped one is retried only after 1 s, then 3 s, 7 s…
 * Measured (bench, held scenario): releasing 10,000 held clients at once against a Node upstream
 * with a 4,096 queue overflowed it 2,045 (upgrade-time) and 5,409 (HELLO mode) times; with the
 * slots, 0. A connection counts until the upstream has sent its first bytes (so it was accepted
 * and served) or closed; the others wait here in arrival order, so the listen queue never holds
 * more than the bound. Waiters start together at the end of a loop turn (give() says why):
 * releasing 9,900 held clients against a Node upstream took 2.3 s instead of 2.5 s, with 18 % less
 * CPU on the gate's main thread (bench/ab-release.ts, interleaved).
 *
 * Bounds: `max` connections in flight; waiters are admitted clients (each at most one, so bounded
 * by the client connections), each with one unref'd timer, plus at most one pending
 * `setImmediate` for the whole line; a waiter leaves on its start, its
 * timeout (`timeoutMs`: UPSTREAM_CONNECT, retryable like a refused connect) or `cancel()`, and
 * the line's array stays within about twice the waiters (line.ts).
 */
export class ConnectSlots {
  readonly max: number;
  readonly #timeoutMs: number;
  readonly #line = new Line<Waiter>();
  #busy = 0;
  /** The pending start of waiters (one per turn at most). */
  #refill: ReturnType<typeof setImmediate> | undefined;

  constructor(max: number, timeoutMs: number) {
    this.max = max;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Runs `start` now if a slot is free and nobody waits, else at the end of the loop turn in which
   * a slot frees (oldest first). `start` owns the slot and must call give() exactly once. Returns
   * a cancel function (a no-op once started) that drops the waiter without calling either callback.
   */
  take(start: () => void, fail: (err: RealmgateError) => void): () => void {
    if (this.#busy < this.max && this.#line.size === 0) {
      this.#busy++;
      start();
      return noop;
    }
    const w: Waiter = {
      start,
      fail,
      timer: setTimeout(() => {
        if (this.#line.remove(w)) fail(new RealmgateError(ErrorCodes.UPSTREAM_CONNECT, `no upstream connect slot within ${this.#timeoutMs} ms (${this.max} connects already waiting for the upstream to answer)`));
      }, this.#timeoutMs),
      linePos: -1,
    };
    w.timer.unref();
    this.#line.push(w);
    return () => {
      if (this.#line.remove(w)) clearTimeout(w.timer);
    };
  }

  /**
   * A connection in flight was answered, failed or closed. The waiters start once this turn of
   * the event loop is over, as many as there are free slots, instead of one inside each answer's
   * callback. Why: one connect per answer, spaced by the work on that answer, kept a fast
   * upstream going back to sleep and being woken for a single handshake (the kernel's part of
   * `connect()` was 160 µs per call paced against 52 µs in a burst); back to back, the upstream
   * takes them in one wakeup. A slot stays free for one turn at most.
   */
  give(): void {
    this.#busy--;
    if (this.#line.size === 0 || this.#refill !== undefined) return;
    this.#refill = setImmediate(() => {
      this.#refill = undefined;
      while (this.#busy < this.max) {
        const w = this.#line.shift();
        if (!w) return;
        clearTimeout(w.timer);
        this.#busy++;
        w.start();
      }
    });
  }

  /** Connections opened and not yet answered. */
  get inFlight(): number {
    return this.#busy;
  }

  /** Admitted clients waiting for a slot. */
  get waiting(): number {
    return this.#line.size;
  }
}

function noop(): void {}
