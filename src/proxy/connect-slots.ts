import { ErrorCodes, RealmgateError } from '../errors.js';

/** A connect waiting for a slot: started in arrival order, or dropped when its client leaves. */
interface Waiter {
  start: () => void;
  fail: (err: RealmgateError) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Its position in the line since the slots were made (see #base). */
  index: number;
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
 * more than the bound.
 *
 * Bounds: `max` connections in flight; waiters are admitted clients (each at most one, so bounded
 * by the client connections), each with one unref'd timer; a waiter leaves on its start, its
 * timeout (`timeoutMs`: UPSTREAM_CONNECT, retryable like a refused connect) or `cancel()`. A
 * waiter that left is a null slot until the head passes it, and the head moves at least once per
 * 2 × `timeoutMs` (a connection in flight is connected, then answered, each within it, or closed),
 * when the passed part of the array is dropped.
 */
export class ConnectSlots {
  readonly max: number;
  readonly #timeoutMs: number;
  /** Oldest first, from #head on; a waiter that left stays as a tombstone (null) until passed or compacted. */
  #queue: (Waiter | null)[] = [];
  #head = 0;
  /** Queue positions dropped by compaction so far: a waiter's index minus this is its slot in #queue. */
  #base = 0;
  #waiting = 0;
  #busy = 0;

  constructor(max: number, timeoutMs: number) {
    this.max = max;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Runs `start` now if a slot is free, else when one frees (oldest first). `start` owns the slot
   * and must call give() exactly once. Returns a cancel function (a no-op once started) that drops
   * the waiter without calling either callback.
   */
  take(start: () => void, fail: (err: RealmgateError) => void): () => void {
    if (this.#busy < this.max && this.#waiting === 0) {
      this.#busy++;
      start();
      return noop;
    }
    const index = this.#base + this.#queue.length;
    const w: Waiter = {
      start,
      fail,
      timer: setTimeout(() => {
        if (this.#leave(w)) fail(new RealmgateError(ErrorCodes.UPSTREAM_CONNECT, `no upstream connect slot within ${this.#timeoutMs} ms (${this.max} connects already waiting for the upstream to answer)`));
      }, this.#timeoutMs),
      index,
    };
    w.timer.unref();
    this.#queue.push(w);
    this.#waiting++;
    return () => {
      if (this.#leave(w)) clearTimeout(w.timer);
    };
  }

  /** Takes `w` out of the line (a tombstone in its place); false if it already left or started. */
  #leave(w: Waiter): boolean {
    const i = w.index - this.#base;
    if (i < this.#head || this.#queue[i] !== w) return false;
    this.#queue[i] = null;
    this.#waiting--;
    return true;
  }

  /** A connection in flight was answered, failed or closed: the next waiter starts. */
  give(): void {
    this.#busy--;
    while (this.#head < this.#queue.length) {
      const w = this.#queue[this.#head];
      this.#queue[this.#head++] = null;
      if (w == null) continue;
      this.#waiting--;
      clearTimeout(w.timer);
      this.#busy++;
      this.#compact();
      w.start();
      return;
    }
    this.#compact();
  }

  /** Drops the passed prefix once it is most of the array (amortised O(1) per waiter). */
  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#base += this.#head;
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#base += this.#head;
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Connections opened and not yet answered. */
  get inFlight(): number {
    return this.#busy;
  }

  /** Admitted clients waiting for a slot. */
  get waiting(): number {
    return this.#waiting;
  }
}

function noop(): void {}
