import { EventEmitter } from 'node:events';
import type { Clock, Timer } from '../clock.js';
import type { Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { SourceSink } from '../readiness/source.js';

/** One realm's combined state, as admission, health, metrics and logs see it. */
export interface RealmView {
  readonly name: string;
  readonly ready: boolean;
  /** ms epoch of the last transition (or of first sight). */
  readonly since: number;
  /** The source that decided: the last to say ready, or the first that blocks; 'fail-open' or 'none'. */
  readonly source: string;
  readonly required: boolean;
  readonly configured: boolean;
  /** Has this realm ever been ready since the gate started? */
  readonly everReady: boolean;
  /** Not ready, but some serving workers route it and others do not (see isPartial). */
  readonly partial: boolean;
}

export interface PartialChange {
  realm: string;
  partial: boolean;
}

export interface RealmChange {
  realm: string;
  ready: boolean;
  source: string;
  /** How long the realm was in the previous state, ms. */
  previousMs: number;
}

export interface SourceStatus {
  name: string;
  type: string;
  up: boolean;
  stale: boolean;
  lastSuccess: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  polls: { ok: number; error: number };
  detail: Record<string, unknown>;
}

interface SourceEntry extends SourceStatus {
  observed: Map<string, boolean>;
  discovered: Set<string>;
  partial: Set<string>;
  holdUnknown: boolean;
}

interface RealmEntry {
  name: string;
  ready: boolean;
  since: number;
  source: string;
  required: boolean;
  configured: boolean;
  everReady: boolean;
  firstSeen: number;
  partial: boolean;
}

type Events = {
  change: [RealmChange];
  /** A realm's partial state changed (emitted after 'change' when both change at once). */
  partial: [PartialChange];
  /** holdUnknown() changed. */
  'hold-unknown': [boolean];
  'source-error': [SourceStatus, unknown];
  'source-up': [SourceStatus];
};

/**
 * The single source of truth for realm readiness. Sources write observations
 * through their sink; the registry combines them (all | any), applies
 * staleness (onStale) and failOpenAfterMs, and emits one 'change' per real
 * transition. Reads (isReady) are a Map lookup: they sit on the hot path.
 */
export class RealmRegistry extends EventEmitter<Events> {
  #config: Config['readiness'];
  readonly #clock: Clock;
  readonly #realms = new Map<string, RealmEntry>();
  readonly #sources = new Map<string, SourceEntry>();
  #timer: Timer | undefined;
  #closed = false;

  constructor(opts: { config: Config; clock: Clock }) {
    super();
    this.#config = opts.config.readiness;
    this.#clock = opts.clock;
    const now = this.#clock.now();
    for (const r of opts.config.realms) {
      this.#realms.set(r.name, {
        name: r.name, ready: false, since: now, source: 'none', required: r.required,
        configured: true, everReady: false, firstSeen: now, partial: false,
      });
    }
  }

  /** Registers a source and returns the sink it writes to. */
  sinkFor(name: string, type: string): SourceSink {
    // A source replaced by a reload inherits its predecessor's last answers until it answers itself,
    // so changing a source's settings does not flap its realms to not ready.
    const prev = this.#sources.get(name);
    const entry: SourceEntry = prev
      ? { ...prev, type, polls: { ...prev.polls }, observed: new Map(prev.observed), discovered: new Set(prev.discovered), partial: new Set(prev.partial) }
      : {
        name, type, up: false, stale: false, lastSuccess: null, lastError: null, lastErrorAt: null,
        polls: { ok: 0, error: 0 }, detail: {}, observed: new Map(), discovered: new Set(),
        partial: new Set(), holdUnknown: false,
      };
    this.#sources.set(name, entry);
    const success = (): void => {
      const wasUp = entry.up;
      entry.up = true;
      entry.stale = false;
      entry.lastSuccess = this.#clock.now();
      entry.polls.ok++;
      if (!wasUp) this.emit('source-up', this.#sourceStatus(entry));
    };
    return {
      snapshot: (realms) => {
        if (this.#closed) return;
        entry.observed = new Map(Object.entries(realms));
        success();
        this.#recomputeAll();
      },
      update: (realms) => {
        if (this.#closed) return;
        for (const [k, v] of Object.entries(realms)) entry.observed.set(k, v);
        success();
        this.#recomputeAll();
      },
      discover: (realms) => {
        if (this.#closed) return;
        entry.discovered = new Set(realms);
        const now = this.#clock.now();
        for (const r of realms) {
          if (!this.#realms.has(r)) {
            this.#realms.set(r, {
              name: r, ready: false, since: now, source: 'none', required: true,
              configured: false, everReady: false, firstSeen: now, partial: false,
            });
          }
        }
        this.#recomputeAll();
      },
      fail: (error) => {
        if (this.#closed) return;
        entry.up = false;
        entry.lastError = describeError(error);
        entry.lastErrorAt = this.#clock.now();
        entry.polls.error++;
        this.emit('source-error', this.#sourceStatus(entry), error);
        this.#recomputeAll();
      },
      partial: (realms) => {
        if (this.#closed) return;
        entry.partial = new Set(realms);
        this.#recomputeAll();
      },
      holdUnknown: (hold) => {
        if (this.#closed) return;
        const before = this.holdUnknown();
        entry.holdUnknown = hold;
        const after = this.holdUnknown();
        if (after !== before) this.emit('hold-unknown', after);
      },
      detail: (info) => {
        entry.detail = { ...info };
      },
    };
  }

  /**
   * A reload (SIGHUP): the configured realm list and the readiness settings change in place.
   * New realms start not ready; a realm no longer configured stays only if a source discovered it;
   * an existing realm keeps its state (a realm that is ready stays ready). Held clients of a
   * removed realm stay queued until their own deadline: a reload never drops anyone.
   */
  reconfigure(config: Pick<Config, 'realms' | 'readiness'>): { added: string[]; removed: string[] } {
    this.#config = config.readiness;
    const now = this.#clock.now();
    const wanted = new Map(config.realms.map((r) => [r.name, r]));
    const added: string[] = [];
    const removed: string[] = [];
    for (const [name, entry] of this.#realms) {
      if (wanted.has(name) || !entry.configured) continue;
      const discovered = [...this.#sources.values()].some((s) => s.discovered.has(name));
      if (discovered) entry.configured = false;
      else this.#realms.delete(name);
      removed.push(name);
    }
    for (const r of config.realms) {
      const entry = this.#realms.get(r.name);
      if (entry) {
        entry.configured = true;
        entry.required = r.required;
        continue;
      }
      this.#realms.set(r.name, {
        name: r.name, ready: false, since: now, source: 'none', required: r.required,
        configured: true, everReady: false, firstSeen: now, partial: false,
      });
      added.push(r.name);
    }
    this.#recomputeAll();
    return { added, removed };
  }

  /** A source stopped by a reload: its opinions no longer count. */
  removeSource(name: string): void {
    if (this.#sources.delete(name)) this.#recomputeAll();
  }

  /** Starts the staleness / fail-open clock. */
  start(): void {
    if (this.#timer || this.#closed) return;
    const every = Math.max(50, Math.min(1000, Math.floor(this.#config.staleAfterMs / 4), this.#config.failOpenAfterMs ?? Infinity));
    const tick = (): void => {
      if (this.#closed) return;
      this.#recomputeAll();
      this.#timer = this.#clock.setTimeout(tick, every);
    };
    this.#timer = this.#clock.setTimeout(tick, every);
    this.#recomputeAll();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Hot path: is this realm ready now? Unknown realms are not. */
  isReady(realm: string): boolean {
    return this.#realms.get(realm)?.ready === true;
  }

  /** Is the realm configured or discovered (i.e. guarded by the gate)? */
  isKnown(realm: string): boolean {
    return this.#realms.has(realm);
  }

  /**
   * Some serving workers route this realm and others do not (and it is not ready). With
   * `readiness.partial: readmit` the data plane admits clients it can re-admit (HELLO mode).
   */
  isPartial(realm: string): boolean {
    return this.#realms.get(realm)?.partial === true;
  }

  /**
   * A source in discovery mode cannot classify every realm yet (the cluster is still placing
   * routes, or the source has not answered): a realm the gate does not know must be held,
   * not passed, since it may be an arealm about to be discovered.
   */
  holdUnknown(): boolean {
    for (const s of this.#sources.values()) if (s.holdUnknown) return true;
    return false;
  }

  get(realm: string): RealmView | undefined {
    return this.#realms.get(realm);
  }

  realms(): RealmView[] {
    return [...this.#realms.values()];
  }

  realmNames(): string[] {
    return [...this.#realms.keys()];
  }

  sources(): SourceStatus[] {
    return [...this.#sources.values()].map((s) => this.#sourceStatus(s));
  }

  #sourceStatus(s: SourceEntry): SourceStatus {
    return {
      name: s.name, type: s.type, up: s.up, stale: this.#isStale(s, this.#clock.now()), lastSuccess: s.lastSuccess,
      lastError: s.lastError, lastErrorAt: s.lastErrorAt, polls: { ...s.polls }, detail: s.detail,
    };
  }

  #isStale(s: SourceEntry, now: number): boolean {
    // A source that has never answered is not "stale": it simply knows nothing yet.
    return s.lastSuccess !== null && now - s.lastSuccess > this.#config.staleAfterMs;
  }

  /** One source's opinion on a realm: true, false, or undefined (no opinion / unknown). */
  #opinion(s: SourceEntry, realm: string, now: number): boolean | undefined {
    const seen = s.observed.get(realm);
    if (this.#isStale(s, now)) {
      s.stale = true;
      if (this.#config.onStale === 'notReady') return false;
    }
    return seen;
  }

  #combine(realm: RealmEntry, now: number): { ready: boolean; source: string } {
    const sources = [...this.#sources.values()];
    if (sources.length === 0) return { ready: false, source: 'none' };
    if (this.#config.combine === 'any') {
      for (const s of sources) if (this.#opinion(s, realm.name, now) === true) return { ready: true, source: s.name };
      return { ready: false, source: sources[0]!.name };
    }
    let readySource = '';
    for (const s of sources) {
      if (this.#opinion(s, realm.name, now) !== true) return { ready: false, source: s.name };
      readySource = s.name;
    }
    return { ready: true, source: readySource };
  }

  #recomputeAll(): void {
    const now = this.#clock.now();
    for (const realm of this.#realms.values()) {
      let { ready, source } = this.#combine(realm, now);
      // everReady counts only what sources said, so fail-open stays on until a source first agrees.
      if (ready) realm.everReady = true;
      const failOpen = this.#config.failOpenAfterMs;
      if (!ready && failOpen !== null && !realm.everReady && now - realm.firstSeen >= failOpen) {
        ready = true;
        source = 'fail-open';
      }
      if (ready !== realm.ready) {
        const previousMs = now - realm.since;
        realm.ready = ready;
        realm.since = now;
        realm.source = source;
        this.emit('change', { realm: realm.name, ready, source, previousMs });
      } else {
        realm.source = source;
      }
      const partial = !ready && this.#anyPartial(realm.name, now);
      if (partial !== realm.partial) {
        realm.partial = partial;
        this.emit('partial', { realm: realm.name, partial });
      }
    }
  }

  /** Partial per an up, fresh source (a stale or down source's hint is not acted on). */
  #anyPartial(realm: string, now: number): boolean {
    for (const s of this.#sources.values()) {
      if (s.up && !this.#isStale(s, now) && s.partial.has(realm)) return true;
    }
    return false;
  }

  /** For logs: a compact one-line reason why a realm is not ready. */
  explain(realm: string): string {
    const r = this.#realms.get(realm);
    if (!r) return 'unknown realm';
    if (r.ready) return `ready (source ${r.source})`;
    if (r.partial) return `partly routed: some workers route it, others do not (readiness.partial: ${this.#config.partial})`;
    const s = this.#sources.get(r.source);
    if (!s) return 'no source has reported yet';
    if (!s.up) return `source ${s.name} is down: ${s.lastError ?? 'no answer yet'}`;
    return `source ${s.name} reports it not ready`;
  }
}
