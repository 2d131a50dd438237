/**
 * A simulated Crossbar node as the demo (and the incident-replay tests) run it: one proxy
 * transport with `workers` parallel proxy workers sharing a port, and a master management API
 * that knows those same workers. The proxy answers HELLO from the master's route table, so the
 * master's view (what realmgate's `crossbar` source reads) and what clients meet on the proxy
 * can never disagree — just as in Crossbar, where the master's `start_proxy_realm_route` is what
 * adds the route on the proxy worker.
 */
import { generateCryptosignKey } from '../crossbar/cryptosign.js';
import { silentLogger, type Logger } from '../logger.js';
import { SimulatedMaster } from '../simulator/master-api.js';
import { SimulatedProxyTransport } from '../simulator/proxy-transport.js';

/** Topology names, as a Crossbar master would report them (UUID strings on the wire). */
export const CLUSTER = {
  node: 'node1',
  nodeOid: '4a3b2c1d-0000-4000-8000-000000000001',
  webcluster: 'cluster1',
  webclusterOid: '9fbe067c-5e4f-4d3c-8b2a-1a2b3c4d5e6f',
  /** The principal realmgate authenticates as on the management realm. */
  authid: 'realmgate',
} as const;

/** Worker ids of node1's proxy workers: `cpw-<webcluster oid[:8]>-<i>`, as the webcluster monitor names them. */
export function clusterWorkerIds(workers = 2): string[] {
  return Array.from({ length: workers }, (_, i) => `cpw-${CLUSTER.webclusterOid.slice(0, 8)}-${i}`);
}

/**
 * A master that knows one node (node1) with `workers` parallel proxy workers in webcluster
 * cluster1, `realms` as arealms of it, and `superuser` (an Ed25519 public key, hex) as the key
 * it accepts: the topology of the demo, the bench and the reliability suite.
 */
export function singleNodeMaster(opts: {
  superuser: string; workers?: number; realms?: string[]; arealmStatus?: string; logger?: Logger;
  /** null: the webcluster monitor has started no worker yet (a fresh start). */
  initialWorkerStatus?: string | null;
  tickMs?: number;
}): SimulatedMaster {
  return new SimulatedMaster({
    ...(opts.initialWorkerStatus !== undefined ? { initialWorkerStatus: opts.initialWorkerStatus } : {}),
    ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}),
    superusers: [opts.superuser],
    nodes: [{ authid: CLUSTER.node, oid: CLUSTER.nodeOid }],
    webclusters: [{ name: CLUSTER.webcluster, oid: CLUSTER.webclusterOid, members: [{ nodeAuthid: CLUSTER.node, parallel: opts.workers ?? 2 }] }],
    arealms: (opts.realms ?? ['realm1']).map((name, i) => ({
      name,
      oid: `aaaaaaa${i % 10}-0000-4000-8000-${String(i).padStart(12, '0')}`,
      webclusterOid: CLUSTER.webclusterOid,
      status: opts.arealmStatus ?? 'STARTING',
    })),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
}

export interface SimulatedClusterOptions {
  /** Parallel proxy workers of node1 in the webcluster; default 2. */
  workers?: number;
  /** Application realms (arealms) of the webcluster; default ['realm1']. */
  realms?: string[];
  /** Status of those arealms at construction; default STARTING. `STOPPED` + startArealm() for a fresh start. */
  arealmStatus?: string;
  /** Start with node1's proxy workers not started and its port closed (call startNode()). */
  fresh?: boolean;
  /** Timings of the node lifecycle (crossbar-facts §10); defaults are the measured ones. */
  timing?: Partial<NodeTiming>;
  /** Master on_tick period, ms (default 5000). */
  tickMs?: number;
  /** How connections are spread over the workers (see SimulatedProxyOptions.spread); default round-robin. */
  spread?: 'round-robin' | 'random';
  logger?: Logger;
}

/**
 * How long the simulated node and master monitors take, ms. Defaults are what a real v22.6.1
 * master + edge node did (crossbar-facts §10); tests shorten them.
 */
export interface NodeTiming {
  /** Node stopped → master says `status: "offline"` (+ on_node_shutdown). Measured < 500. */
  offlineAfterMs: number;
  /** Node back → its remote.* procedures are answered again. Measured ~1000. */
  procedureDelayMs: number;
  /** Node back (procedures answered) → proxy workers `started` and the port listening. Measured ~1150. */
  workerStartMs: number;
  /** Fresh start: transport listening → routes on every worker (arealm monitor). Measured 8700–9300. */
  routeDelayMs: number;
  /** After a node restart: proxy listening → routes back. Measured ~4000. */
  restartRouteDelayMs: number;
  /** A stopped route → re-added by the arealm monitor. Measured 9270. */
  readdDelayMs: number;
  /** Between the routes of worker i and worker i+1. Measured ~20. */
  routeSpreadMs: number;
}

export const MEASURED_TIMING: NodeTiming = {
  offlineAfterMs: 400,
  procedureDelayMs: 1000,
  workerStartMs: 1150,
  routeDelayMs: 9000,
  restartRouteDelayMs: 4000,
  readdDelayMs: 9270,
  routeSpreadMs: 20,
};

export interface RouteEvent { node: string; worker: string; realm: string; started: boolean }

/** A started simulated cluster: listen() first, then close() or destroy() (both idempotent). */
export class SimulatedCluster {
  readonly master: SimulatedMaster;
  readonly proxy: SimulatedProxyTransport;
  /** The Ed25519 key the master accepts as superuser; `seedHex` is what realmgate is given. */
  readonly key = generateCryptosignKey();
  readonly workers: number;
  readonly timing: NodeTiming;
  private readonly fresh: boolean;
  private urls: { proxy: string; proxyWs: string; master: string } | undefined;
  private closing: Promise<void> | undefined;
  /** Pending lifecycle steps (monitor runs); cleared when the node stops or the cluster closes. */
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Bumped on every node stop: steps scheduled for an earlier life of the node do nothing. */
  private life = 0;

  constructor(opts: SimulatedClusterOptions = {}) {
    this.workers = Math.max(1, Math.floor(opts.workers ?? 2));
    this.timing = { ...MEASURED_TIMING, ...opts.timing };
    this.fresh = opts.fresh === true;
    const logger = opts.logger ?? silentLogger();
    const oid8 = CLUSTER.webclusterOid.slice(0, 8);
    this.master = singleNodeMaster({
      superuser: this.key.publicKeyHex, workers: this.workers, realms: opts.realms, logger,
      ...(opts.arealmStatus !== undefined ? { arealmStatus: opts.arealmStatus } : {}),
      ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}),
      ...(this.fresh ? { initialWorkerStatus: null } : {}),
    });
    this.proxy = new SimulatedProxyTransport({
      workers: this.workers,
      webclusterOid8: oid8,
      nodeAuthid: CLUSTER.node,
      ...(opts.spread ? { spread: opts.spread } : {}),
      hasRoute: (realm, i) => this.master.routes(CLUSTER.node, this.proxy.workerId(i)).includes(realm),
      logger,
    });
  }

  /** Starts the proxy transport and the master API on 127.0.0.1, free ports. */
  async listen(): Promise<{ proxy: string; proxyWs: string; master: string }> {
    const proxy = await this.proxy.listen();
    // A fresh node has its port reserved (so the gate can be configured) but not yet listening.
    if (this.fresh) await this.proxy.down();
    const master = await this.master.listen();
    this.urls = { proxy: proxy.url, proxyWs: proxy.wsUrl, master: master.url };
    return this.urls;
  }

  /**
   * The node process stops: its port refuses connections, every client connection is cut, its
   * remote.* procedures answer no_such_procedure, and the master says `offline` after
   * `timing.offlineAfterMs`. Pending monitor steps of this node are dropped.
   */
  async stopNode(): Promise<void> {
    this.life += 1;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.master.stopNode(CLUSTER.node, this.timing.offlineAfterMs);
    await this.proxy.down();
  }

  /**
   * The node process starts (fresh or after stopNode): online at once; procedures answered after
   * `procedureDelayMs`; workers `connected`, then `started` and the port listening after
   * `workerStartMs`; then the arealm monitor adds every active arealm's routes after
   * `routeDelayMs` (default: `restartRouteDelayMs`, or `timing.routeDelayMs` for a fresh node).
   * Resolves when the routes are in place.
   */
  async startNode(routeDelayMs?: number): Promise<void> {
    const life = this.life;
    const t = this.timing;
    this.master.startNode(CLUSTER.node, t.procedureDelayMs);
    await this.after(t.procedureDelayMs, life);
    for (const id of this.workerIds()) this.master.startWorker(CLUSTER.node, id, 'connected');
    await this.after(t.workerStartMs, life);
    for (const id of this.workerIds()) this.master.startWorker(CLUSTER.node, id, 'started');
    await this.proxy.up();
    await this.routeAll(routeDelayMs ?? (this.fresh ? t.routeDelayMs : t.restartRouteDelayMs), life);
  }

  /** stopNode(), `downMs` of outage, then startNode(). Resolves when the routes are back. */
  async restartNode(downMs: number): Promise<void> {
    await this.stopNode();
    await this.after(downMs, this.life);
    await this.startNode();
  }

  /**
   * `start_arealm` for a realm of this webcluster: STARTING (`on_arealm_starting`), RUNNING
   * shortly after — before any route — and routes on every started worker `routeDelayMs` later
   * (default `timing.routeDelayMs`). Resolves when the routes are in place.
   */
  async startArealm(realm: string, routeDelayMs = this.timing.routeDelayMs): Promise<void> {
    this.master.startArealm(realm);
    const life = this.life;
    await this.after(routeDelayMs, life);
    for (const [i, id] of this.workerIds().entries()) {
      if (i > 0) await this.after(this.timing.routeSpreadMs, life);
      if (this.proxy.listening) this.master.startRoute(CLUSTER.node, id, realm);
    }
  }

  /** A route stopped on one worker; the arealm monitor re-adds it after `readdMs` (default `timing.readdDelayMs`). */
  async stopRouteAndReadd(realm: string, workerIndex: number, readdMs = this.timing.readdDelayMs): Promise<void> {
    const life = this.life;
    this.stopRoute(realm, workerIndex);
    await this.after(readdMs, life);
    this.startRoute(realm, workerIndex);
  }

  private workerIds(): string[] {
    return clusterWorkerIds(this.workers);
  }

  private async routeAll(delayMs: number, life: number): Promise<void> {
    await this.after(delayMs, life);
    for (const [i, id] of this.workerIds().entries()) {
      if (i > 0) await this.after(this.timing.routeSpreadMs, life);
      for (const realm of this.master.activeArealms(CLUSTER.webclusterOid)) this.master.startRoute(CLUSTER.node, id, realm);
    }
  }

  /** Resolves after `ms`; never resolves if the node stopped (new life) or the cluster closed meanwhile. */
  private after(ms: number, life: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (life === this.life && !this.closing) resolve();
      }, ms);
      timer.unref();
      this.timers.add(timer);
    });
  }

  /** `http://127.0.0.1:P` of the proxy transport (realmgate's `upstream.url`). */
  get proxyUrl(): string {
    return this.started().proxy;
  }

  /** `ws://127.0.0.1:P/ws` of the proxy transport, for clients connecting directly. */
  get proxyWsUrl(): string {
    return this.started().proxyWs;
  }

  /** `ws://127.0.0.1:P/ws` of the master management API. */
  get masterUrl(): string {
    return this.started().master;
  }

  /** What the arealm monitor does: adds the realm's route on one proxy worker (master publishes the event). */
  startRoute(realm: string, workerIndex: number): void {
    this.master.startRoute(CLUSTER.node, this.proxy.workerId(workerIndex), realm);
  }

  /** Removes the realm's routes on one worker (as a restarted proxy worker loses them). */
  stopRoute(realm: string, workerIndex: number): void {
    this.master.stopRoute(CLUSTER.node, this.proxy.workerId(workerIndex), realm);
  }

  /** Calls `fn` for every route started or stopped; returns a function that stops listening. */
  onRoute(fn: (e: RouteEvent) => void): () => void {
    this.master.on('route', fn);
    return () => this.master.off('route', fn);
  }

  /** Worker index of a `cpw-…-<i>` id. */
  workerIndex(workerId: string): number {
    return Number(workerId.slice(workerId.lastIndexOf('-') + 1));
  }

  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.closing ??= Promise.allSettled([this.proxy.close(), this.master.close()]).then(() => undefined);
    return this.closing;
  }

  destroy(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.closing ??= Promise.resolve();
    this.proxy.destroy();
    this.master.destroy();
  }

  private started(): { proxy: string; proxyWs: string; master: string } {
    if (!this.urls) throw new Error('SimulatedCluster: call listen() first');
    return this.urls;
  }
}
