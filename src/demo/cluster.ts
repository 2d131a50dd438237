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
export function singleNodeMaster(opts: { superuser: string; workers?: number; realms?: string[]; arealmStatus?: string; logger?: Logger }): SimulatedMaster {
  return new SimulatedMaster({
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
  logger?: Logger;
}

export interface RouteEvent { node: string; worker: string; realm: string; started: boolean }

/** A started simulated cluster: listen() first, then close() or destroy() (both idempotent). */
export class SimulatedCluster {
  readonly master: SimulatedMaster;
  readonly proxy: SimulatedProxyTransport;
  /** The Ed25519 key the master accepts as superuser; `seedHex` is what realmgate is given. */
  readonly key = generateCryptosignKey();
  readonly workers: number;
  private urls: { proxy: string; proxyWs: string; master: string } | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: SimulatedClusterOptions = {}) {
    this.workers = Math.max(1, Math.floor(opts.workers ?? 2));
    const logger = opts.logger ?? silentLogger();
    const oid8 = CLUSTER.webclusterOid.slice(0, 8);
    this.master = singleNodeMaster({ superuser: this.key.publicKeyHex, workers: this.workers, realms: opts.realms, logger });
    this.proxy = new SimulatedProxyTransport({
      workers: this.workers,
      webclusterOid8: oid8,
      nodeAuthid: CLUSTER.node,
      hasRoute: (realm, i) => this.master.routes(CLUSTER.node, this.proxy.workerId(i)).includes(realm),
      logger,
    });
  }

  /** Starts the proxy transport and the master API on 127.0.0.1, free ports. */
  async listen(): Promise<{ proxy: string; proxyWs: string; master: string }> {
    const proxy = await this.proxy.listen();
    const master = await this.master.listen();
    this.urls = { proxy: proxy.url, proxyWs: proxy.wsUrl, master: master.url };
    return this.urls;
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
    this.closing ??= Promise.allSettled([this.proxy.close(), this.master.close()]).then(() => undefined);
    return this.closing;
  }

  destroy(): void {
    this.closing ??= Promise.resolve();
    this.proxy.destroy();
    this.master.destroy();
  }

  private started(): { proxy: string; proxyWs: string; master: string } {
    if (!this.urls) throw new Error('SimulatedCluster: call listen() first');
    return this.urls;
  }
}
