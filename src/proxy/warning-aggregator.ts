import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../logger.js';

/** Per-client warnings that are aggregated instead of logged once per client. */
export type WarningKind = 'readmitted' | 'joined_after_readmission' | 'upstream_retry' | 'upstream_unavailable';

const TEXT: Record<WarningKind, (n: number, seconds: number) => string> = {
  readmitted: (n, s) => `upstream refused ${n} admitted client(s) with no_such_realm in the last ${s} s - re-queued`,
  joined_after_readmission: (n, s) => `${n} client(s) joined in the last ${s} s after hidden no_such_realm refusal(s)`,
  upstream_retry: (n, s) => `upstream refused or reset ${n} admitted client(s) before answering in the last ${s} s - retrying`,
  upstream_unavailable: (n, s) => `upstream unavailable for ${n} admitted client(s) in the last ${s} s`,
};

/** Distinct realm labels and detail values kept per window; the rest are counted under `_other`. */
const MAX_KEYS = 10;

interface Window {
  count: number;
  realms: Map<string, number>;
  details: Map<string, number>;
  timer: Timer | undefined;
}

/**
 * Rate-limits per-client warnings with counts: the first event of a kind is logged at once (with
 * its own fields), later ones within `windowMs` are counted and summed up in one line when the
 * window ends — "upstream unavailable for 312 admitted clients in the last 10 s". Realm names
 * are metric labels (guarded realms or `_unknown`), details are cut to 64 characters, and both
 * maps are capped: a client can never make a log line long or frequent.
 */
export class WarningAggregator {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #windows = new Map<WarningKind, Window>();
  #closed = false;

  constructor(opts: { logger: Logger; clock: Clock; windowMs?: number }) {
    this.#logger = opts.logger;
    this.#clock = opts.clock;
    this.#windowMs = opts.windowMs ?? 10_000;
  }

  /**
   * One client's warning. `realm` must already be a bounded label; `detail` (e.g. a worker id)
   * is optional and counted per value.
   */
  note(kind: WarningKind, realm: string, fields: Record<string, unknown> = {}, detail?: string): void {
    if (this.#closed) return;
    const w = this.#windows.get(kind);
    if (!w) {
      // Quiet until now: say it at once, then count for a window.
      this.#logger.warn({ kind, realm, ...fields }, TEXT[kind](1, 0).replace(' in the last 0 s', ''));
      const fresh: Window = { count: 0, realms: new Map(), details: new Map(), timer: undefined };
      fresh.timer = this.#clock.setTimeout(() => this.#flush(kind), this.#windowMs);
      this.#windows.set(kind, fresh);
      return;
    }
    w.count++;
    bump(w.realms, realm);
    if (detail !== undefined) bump(w.details, detail.slice(0, 64));
  }

  #flush(kind: WarningKind): void {
    const w = this.#windows.get(kind);
    if (!w) return;
    this.#windows.delete(kind);
    if (w.count === 0) return;
    const seconds = Math.round(this.#windowMs / 1000);
    const fields: Record<string, unknown> = { kind, count: w.count, realms: Object.fromEntries(w.realms) };
    if (w.details.size > 0) fields.details = Object.fromEntries(w.details);
    this.#logger.warn(fields, TEXT[kind](w.count, seconds));
    // Still busy: keep counting in a new window rather than logging the next event at once.
    const next: Window = { count: 0, realms: new Map(), details: new Map(), timer: undefined };
    next.timer = this.#clock.setTimeout(() => this.#flush(kind), this.#windowMs);
    this.#windows.set(kind, next);
  }

  /** Logs what is counted and stops. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const [kind, w] of [...this.#windows]) {
      if (w.timer) this.#clock.clearTimeout(w.timer);
      w.timer = undefined;
      this.#flush(kind);
    }
    for (const w of this.#windows.values()) if (w.timer) this.#clock.clearTimeout(w.timer);
    this.#windows.clear();
    this.#closed = true;
  }

  destroy(): void {
    this.close();
  }
}

function bump(m: Map<string, number>, key: string): void {
  const k = m.has(key) || m.size < MAX_KEYS ? key : '_other';
  m.set(k, (m.get(k) ?? 0) + 1);
}
