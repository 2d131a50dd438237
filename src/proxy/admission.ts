import type { Clock, Timer } from '../clock.js';
import { type InLine, Line } from './line.js';
import type { OnNotReady } from '../config/schema.js';

/** Per-realm policy, already merged with `defaults`. */
export interface AdmissionPolicy {
  onNotReady: OnNotReady;
  queueTimeoutMs: number;
  maxQueued: number;
  retryAfterSeconds: number;
  releasePerSecond: number;
}

export type RejectReason = 'realm_not_ready' | 'queue_full' | 'queue_timeout' | 'draining';

export type Decision =
  | { admitted: true; waitedMs: number; held: boolean }
  | { admitted: false; reason: RejectReason; waitedMs: number; held: boolean };

/** A client waiting in a realm's queue. cancel() = the client went away (no callback follows). */
export interface HeldClient {
  cancel(): void;
}

export interface EnterOptions {
  /** Put the client at the head of the queue (re-admission after an upstream refusal). */
  front?: boolean;
  /** Absolute deadline (clock ms); default now + queueTimeoutMs. */
  deadline?: number;
  /** When the client first arrived (clock ms), for waitedMs; default now. */
  enteredAt?: number;
  /**
   * The caller can re-admit this client after an upstream `no_such_realm` (HELLO mode): it is
   * admitted while the realm is partly routed (`readiness.partial: readmit`), not only when ready.
   */
  readmittable?: boolean;
}

interface Entry extends InLine {
  realm: string;
  enteredAt: number;
  deadline: number;
  timer: Timer | undefined;
  done: boolean;
  readmittable: boolean;
  decide: (d: Decision) => void;
}

interface RealmQueue {
  /** Re-admitted clients, served before `fifo`. */
  front: Line<Entry>;
  /** First in, first out; a client that hangs up or times out leaves from anywhere in O(1). */
  fifo: Line<Entry>;
  pacer: Timer | undefined;
}

/**
 * Admission: pure logic with an injected clock. Owns per-realm FIFO queues,
 * bounded per realm and in total, a deadline per held client, removal on
 * hang-up, and release pacing when a realm turns ready.
 */
export class Admission {
  readonly #clock: Clock;
  readonly #isReady: (realm: string) => boolean;
  readonly #isPartial: (realm: string) => boolean;
  readonly #policyFor: (realm: string) => AdmissionPolicy;
  readonly #maxQueuedTotal: number;
  readonly #queues = new Map<string, RealmQueue>();
  #total = 0;
  #draining = false;

  constructor(opts: {
    clock: Clock;
    isReady: (realm: string) => boolean;
    /** Partly routed and the rule is `readmit`; default never. */
    isPartial?: (realm: string) => boolean;
    policyFor: (realm: string) => AdmissionPolicy;
    maxQueuedTotal: number;
  }) {
    this.#clock = opts.clock;
    this.#isReady = opts.isReady;
    this.#isPartial = opts.isPartial ?? (() => false);
    this.#policyFor = opts.policyFor;
    this.#maxQueuedTotal = opts.maxQueuedTotal;
  }

  /**
   * Asks to admit a client for `realm`. When the answer is immediate, `decide`
   * is called synchronously and undefined is returned; otherwise the client is
   * held and the returned handle lets the caller cancel on hang-up.
   */
  enter(realm: string, decide: (d: Decision) => void, opts: EnterOptions = {}): HeldClient | undefined {
    const now = this.#clock.now();
    const enteredAt = opts.enteredAt ?? now;
    if (this.#draining) {
      decide({ admitted: false, reason: 'draining', waitedMs: now - enteredAt, held: false });
      return undefined;
    }
    const policy = this.#policyFor(realm);
    const q = this.#queues.get(realm);
    const waiting = q ? q.front.size + q.fifo.size : 0;
    // Ready and nobody ahead: the hot path, no allocation.
    if (waiting === 0 && this.#isReady(realm)) {
      decide({ admitted: true, waitedMs: now - enteredAt, held: false });
      return undefined;
    }
    // Partly routed: a re-admittable client tries its luck with the workers that route (it comes back on a refusal).
    if (opts.readmittable === true && this.#isPartial(realm)) {
      decide({ admitted: true, waitedMs: now - enteredAt, held: false });
      return undefined;
    }
    if (waiting === 0 && policy.onNotReady === 'pass') {
      decide({ admitted: true, waitedMs: now - enteredAt, held: false });
      return undefined;
    }
    if (policy.onNotReady === 'reject' && !this.#isReady(realm)) {
      decide({ admitted: false, reason: 'realm_not_ready', waitedMs: now - enteredAt, held: false });
      return undefined;
    }
    const deadline = opts.deadline ?? now + policy.queueTimeoutMs;
    if (deadline <= now) {
      decide({ admitted: false, reason: 'queue_timeout', waitedMs: now - enteredAt, held: false });
      return undefined;
    }
    if (!opts.front && (waiting >= policy.maxQueued || this.#total >= this.#maxQueuedTotal)) {
      decide({ admitted: false, reason: 'queue_full', waitedMs: now - enteredAt, held: false });
      return undefined;
    }
    const queue = q ?? this.#newQueue(realm);
    const entry: Entry = { realm, enteredAt, deadline, timer: undefined, done: false, readmittable: opts.readmittable === true, decide, linePos: -1 };
    entry.timer = this.#clock.setTimeout(() => this.#expire(entry), deadline - now);
    (opts.front ? queue.front : queue.fifo).push(entry);
    this.#total++;
    // Clients queued behind a release in progress (pacing) keep their place in line.
    if (this.#isReady(realm)) this.release(realm);
    return { cancel: () => this.#remove(entry) };
  }

  /**
   * The realm turned ready: release its held clients in order — all at once,
   * or `releasePerSecond` per second in 100 ms batches. Returns how many were
   * released synchronously.
   */
  release(realm: string): number {
    const q = this.#queues.get(realm);
    if (!q || q.pacer) return 0;
    const rate = this.#policyFor(realm).releasePerSecond;
    if (rate <= 0) return this.#releaseBatch(realm, q, Infinity);
    const perTick = Math.max(1, Math.round(rate / 10));
    const tickMs = Math.max(1, Math.round((1000 * perTick) / rate));
    const tick = (): void => {
      q.pacer = undefined;
      if (!this.#isReady(realm) || this.#draining) return;
      this.#releaseBatch(realm, q, perTick);
      if (q.front.size + q.fifo.size > 0) q.pacer = this.#clock.setTimeout(tick, tickMs);
    };
    const n = this.#releaseBatch(realm, q, perTick);
    if (q.front.size + q.fifo.size > 0) q.pacer = this.#clock.setTimeout(tick, tickMs);
    return n;
  }

  #releaseBatch(realm: string, q: RealmQueue, max: number): number {
    let n = 0;
    while (n < max && this.#isReady(realm) && !this.#draining) {
      const entry = q.front.shift() ?? q.fifo.shift();
      if (!entry) break;
      this.#settle(entry, { admitted: true, waitedMs: this.#clock.now() - entry.enteredAt, held: true });
      n++;
    }
    return n;
  }

  /**
   * The realm turned partly routed (rule `readmit`): release its re-admittable held clients
   * now, in order; the others keep waiting for ready. Returns how many were released.
   */
  releaseReadmittable(realm: string): number {
    const q = this.#queues.get(realm);
    if (!q || this.#draining) return 0;
    let n = 0;
    for (const entry of [...q.front.values(), ...q.fifo.values()]) {
      if (!entry.readmittable || !this.#isPartial(realm)) continue;
      this.#settle(entry, { admitted: true, waitedMs: this.#clock.now() - entry.enteredAt, held: true });
      n++;
    }
    return n;
  }

  /** Refuses every held client with `draining` and every later one too. */
  drain(): number {
    this.#draining = true;
    let n = 0;
    for (const q of [...this.#queues.values()]) {
      for (const entry of [...q.front.values(), ...q.fifo.values()]) {
        this.#settle(entry, { admitted: false, reason: 'draining', waitedMs: this.#clock.now() - entry.enteredAt, held: true });
        n++;
      }
    }
    return n;
  }

  /** Undoes drain(): later clients are admitted again. Held ones were already answered `draining`. */
  undrain(): void {
    this.#draining = false;
  }

  get draining(): boolean {
    return this.#draining;
  }

  depth(realm: string): number {
    const q = this.#queues.get(realm);
    return q ? q.front.size + q.fifo.size : 0;
  }

  get total(): number {
    return this.#total;
  }

  /** Realms with at least one held client. */
  queuedRealms(): string[] {
    return [...this.#queues.keys()];
  }

  #newQueue(realm: string): RealmQueue {
    const q: RealmQueue = { front: new Line(), fifo: new Line(), pacer: undefined };
    this.#queues.set(realm, q);
    return q;
  }

  #expire(entry: Entry): void {
    this.#settle(entry, { admitted: false, reason: 'queue_timeout', waitedMs: this.#clock.now() - entry.enteredAt, held: true });
  }

  #settle(entry: Entry, d: Decision): void {
    if (entry.done) return;
    this.#remove(entry);
    entry.decide(d);
  }

  #remove(entry: Entry): void {
    if (entry.done) return;
    entry.done = true;
    if (entry.timer) this.#clock.clearTimeout(entry.timer);
    const q = this.#queues.get(entry.realm);
    if (q) {
      if (!q.fifo.remove(entry)) q.front.remove(entry);
      if (q.front.size + q.fifo.size === 0) {
        if (q.pacer) this.#clock.clearTimeout(q.pacer);
        this.#queues.delete(entry.realm);
      }
    }
    this.#total--;
  }
}
