import { computeReadiness, isStarted, partialRealms, type WorkerState } from './proxy-routes.js';

/**
 * What the crossbar source knows about its node, and the readiness it derives from that.
 * Pure state: the source feeds it poll answers and events, and reads `observe()`.
 *
 * Node states (crossbar-facts §10):
 * - `online`: `get_node_by_authid().status == "online"` and its `remote.*` calls are answered;
 * - `offline`: the master says `status: "offline"` (the node process stopped or lost its uplink);
 * - `unreachable`: the master says online, but `remote.*` answers `no_such_procedure` (node
 *   controller not (yet) registered: stopping, restarting, or back less than ~1 s ago);
 * - `unknown`: not read yet on this session (start, or after the master session was lost).
 *
 * Only `online` can make a realm ready. Every other state is knowledge that the node serves
 * nothing (or that we do not know), never "keep the last answer".
 */
export type NodeState = 'unknown' | 'online' | 'offline' | 'unreachable';

type CachedWorker = WorkerState & { seq: number };

export interface NodeObservation {
  /** Complete per-realm answer for sink.snapshot(). */
  realms: Record<string, boolean>;
  /** Realms some started workers route and others do not (node online only). */
  partial: string[];
  /**
   * Discovery mode: whether a realm this source cannot classify yet should be held instead of
   * passed (nothing discovered yet, node not online, no started worker, or a started worker
   * that lacks a discovered realm's route).
   */
  holdUnknown: boolean;
}

export class NodeView {
  readonly #roles: readonly string[];
  readonly #workers = new Map<string, CachedWorker>();
  #state: NodeState = 'unknown';
  #discovered: string[] = [];
  #discoveredOnce = false;
  #epoch = 0;

  constructor(requiredRoles: readonly string[]) {
    this.#roles = requiredRoles;
  }

  get state(): NodeState {
    return this.#state;
  }

  /** Counts down() calls: a poll that started in another epoch must not declare the node online. */
  get epoch(): number {
    return this.#epoch;
  }

  get discovered(): readonly string[] {
    return this.#discovered;
  }

  get discoveredOnce(): boolean {
    return this.#discoveredOnce;
  }

  /** Keeps only `ids` (topology resolved or changed). */
  setWorkerIds(ids: readonly string[]): void {
    for (const id of [...this.#workers.keys()]) if (!ids.includes(id)) this.#workers.delete(id);
  }

  /** The node answers again. Worker knowledge still comes only from polls and events. */
  online(): void {
    this.#state = 'online';
  }

  /**
   * The node is gone (`offline`/`unreachable`) or we no longer know (`unknown`, master session
   * lost): every worker's routes are forgotten, so no later event or half-poll can rebuild
   * readiness from what the workers had before. A restarted proxy has no routes anyway.
   * Returns whether the state changed.
   */
  down(state: Exclude<NodeState, 'online'>): boolean {
    const changed = state !== this.#state;
    this.#state = state;
    this.#epoch += 1;
    for (const w of this.#workers.values()) {
      w.status = null;
      w.routes = null;
      w.roles = {};
      w.seq += 1;
    }
    return changed;
  }

  /** Sequence numbers before a poll: an event that arrives meanwhile wins over the poll's answer. */
  seqs(): Map<string, number> {
    return new Map([...this.#workers].map(([id, w]) => [id, w.seq]));
  }

  /**
   * Applies one poll's worker answers. Returns true when an event overtook the poll for some
   * worker (the caller polls again soon instead of flapping the realm back).
   */
  applyPoll(polled: readonly WorkerState[], seqAtStart: Map<string, number>): boolean {
    let overtaken = false;
    for (const p of polled) {
      const cached = this.#workers.get(p.id);
      if (cached !== undefined && cached.seq !== (seqAtStart.get(p.id) ?? 0)) {
        overtaken = true;
        continue;
      }
      this.#workers.set(p.id, { ...p, seq: cached?.seq ?? 0 });
    }
    return overtaken;
  }

  /**
   * A route started/stopped on one of our workers. Returns the realm's new readiness, or
   * undefined when the event is not ours (unknown worker) or the node is not online.
   */
  applyRouteEvent(workerId: string, realm: string, started: boolean, config: unknown): boolean | undefined {
    const w = this.#workers.get(workerId);
    if (w === undefined) return undefined;
    w.seq += 1;
    // Not online (down, or not re-read since the master session came back): only a poll may
    // rebuild the workers, else one event could make a half-known node look ready.
    if (this.#state !== 'online') return undefined;
    const routes = new Set(w.routes ?? []);
    const roles = { ...w.roles };
    if (started) {
      // A route event proves the worker runs and holds routes, whatever the last poll said.
      if (w.status === null) w.status = 'started';
      routes.add(realm);
      if (typeof config === 'object' && config !== null) roles[realm] = [...new Set([...(roles[realm] ?? []), ...Object.keys(config)])];
    } else {
      // One route stopping may leave others for the realm; assume the worst and let the re-poll correct it.
      routes.delete(realm);
      delete roles[realm];
    }
    w.routes = [...routes].sort();
    w.roles = roles;
    return computeReadiness([...this.#workers.values()], [realm], this.#roles)[realm] ?? false;
  }

  /** `on_worker_ready`: a (re)started worker process listens without any route. */
  workerRestarted(workerId: string): boolean {
    const w = this.#workers.get(workerId);
    if (w === undefined) return false;
    w.seq += 1;
    w.status = 'started';
    w.routes = [];
    w.roles = {};
    return true;
  }

  /** Replaces the discovered arealm names (full discovery). */
  setDiscovered(names: readonly string[]): void {
    this.#discovered = [...names].sort();
    this.#discoveredOnce = true;
  }

  /** Adds one arealm (from `on_arealm_starting`). Returns true when it was new. */
  addDiscovered(name: string): boolean {
    if (this.#discovered.includes(name)) return false;
    this.#discovered = [...this.#discovered, name].sort();
    return true;
  }

  workers(): WorkerState[] {
    return [...this.#workers.values()].map(({ seq: _seq, ...w }) => w);
  }

  /** Every expected worker is started and routes every realm it should: the steady state. */
  settled(known: readonly string[] = []): boolean {
    if (this.#state !== 'online' || this.#workers.size === 0) return false;
    const ws = [...this.#workers.values()];
    if (!ws.every(isStarted)) return false;
    const o = this.observe(known);
    return Object.values(o.realms).every((r) => r) && o.partial.length === 0;
  }

  /** @param known realms the gate guards (configured + discovered), always answered for. */
  observe(known: readonly string[] = []): NodeObservation {
    const ws = [...this.#workers.values()];
    const all = [...new Set([...known, ...this.#discovered])];
    if (this.#state !== 'online') {
      const realms: Record<string, boolean> = {};
      for (const r of all.sort()) realms[r] = false;
      return { realms, partial: [], holdUnknown: true };
    }
    const realms = computeReadiness(ws, all, this.#roles);
    const started = ws.filter(isStarted);
    const holdUnknown =
      !this.#discoveredOnce ||
      started.length === 0 ||
      started.some((w) => (w.routes ?? []).length === 0) ||
      this.#discovered.some((r) => realms[r] !== true);
    return { realms, partial: partialRealms(ws, this.#roles), holdUnknown };
  }
}
