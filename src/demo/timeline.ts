/**
 * The demo's printed output: `t+3.0 s  …` lines relative to the start, a helper that folds
 * bursts of joins into one line, and the verdict.
 */

/** Seconds with one decimal, e.g. 4.1. */
export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(1);
}

/**
 * Prints lines stamped with the time since `t0` (performance.now() ms). With `holdMs` > 0 each
 * line waits that long before it is printed, so a line stamped with an earlier moment (a client
 * whose outcome took a while to know) still comes out in time order.
 */
export class Timeline {
  private pending: { at: number; text: string }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly write: (text: string) => void, readonly t0: number = performance.now(), private readonly holdMs = 0) {}

  /** `t+X.X s  text` for an event at `at` (default now). */
  line(text: string, at: number = performance.now()): void {
    this.pending.push({ at, text: `t+${seconds(at - this.t0).padStart(4)} s  ${text}\n` });
    if (this.holdMs <= 0) return this.flush();
    this.timer ??= setTimeout(() => this.emitDue(), this.holdMs);
  }

  /** A line without a time stamp (headers, the verdict), after every pending line. */
  plain(text: string): void {
    this.flush();
    this.write(`${text}\n`);
  }

  /** Prints every pending line now, in time order. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending.sort((a, b) => a.at - b.at);
    this.pending = [];
    for (const l of lines) this.write(l.text);
  }

  private emitDue(): void {
    this.timer = undefined;
    const cutoff = performance.now() - this.holdMs;
    this.pending.sort((a, b) => a.at - b.at);
    while (this.pending.length > 0 && this.pending[0]!.at <= cutoff) this.write(this.pending.shift()!.text);
    if (this.pending.length > 0) this.timer = setTimeout(() => this.emitDue(), Math.max(10, this.pending[0]!.at - cutoff));
  }
}

/** One gated client that joined: its number and how long it was held, ms. */
export interface JoinedClient { n: number; waitMs: number; at: number; worker: string | null }

/**
 * Collects joins arriving within `windowMs` of the first and prints them as one line, so 14
 * clients released together read as one event, not 14.
 */
export class JoinBatcher {
  private pending: JoinedClient[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeline: Timeline, private readonly label: string, private readonly windowMs = 300) {}

  add(c: JoinedClient): void {
    this.pending.push(c);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Prints what is pending now (also called before the verdict). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const waits = batch.map((c) => c.waitMs);
    const lo = Math.min(...waits);
    const hi = Math.max(...waits);
    const who = batch.length === 1 ? `client #${batch[0]!.n}` : `${batch.length} clients (${ranges(batch.map((c) => c.n))})`;
    const held = hi < 100 ? 'at once' : lo === hi || seconds(lo) === seconds(hi) ? `after ${seconds(hi)} s held` : `after ${seconds(lo)}–${seconds(hi)} s held`;
    const workers = [...new Set(batch.map((c) => c.worker).filter((w) => w !== null))].sort();
    const on = workers.length > 0 ? ` on ${workers.join(', ')}` : '';
    this.timeline.line(`${this.label}: ${who} joined ${held}${on}, call ok`, Math.min(...batch.map((c) => c.at)));
  }
}

/** `1–4, 7, 9–10` for [1,2,3,4,7,9,10]. */
export function ranges(ns: number[]): string {
  const sorted = [...ns].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? `#${sorted[i]}` : `#${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/** The counts the verdict reports. */
export interface Tally {
  clients: number;
  directRefused: number;
  gatedRefused: number;
  /** Gated clients that neither joined nor were refused before the deadline. */
  gatedMissing: number;
  maxWaitMs: number;
}

/**
 * `direct: 12 of 20 refused (no_such_realm) · through realmgate: 0 of 20 refused, max wait 4.1 s`
 * (plus `, N never joined` when a gated client is still waiting at the end).
 */
export function verdictLine(t: Tally): string {
  const missing = t.gatedMissing > 0 ? `, ${t.gatedMissing} never joined` : '';
  return `direct: ${t.directRefused} of ${t.clients} refused (no_such_realm) · ` +
    `through realmgate: ${t.gatedRefused} of ${t.clients} refused, max wait ${seconds(t.maxWaitMs)} s${missing}`;
}
