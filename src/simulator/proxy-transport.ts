/**
 * A simulated Crossbar proxy transport: the upstream realmgate guards (shared/crossbar-facts.md §5).
 *
 * - The WebSocket upgrade on `path` always succeeds, whatever the realm state.
 * - HELLO for a realm with no route on the connection's proxy worker →
 *   ABORT `[3, {"message": "no realm \"R\" exists on this router"}, "wamp.error.no_such_realm"]`,
 *   and the socket is left open (Crossbar lets the client hang up).
 * - Otherwise WELCOME with `authextra.x_cb_proxy_*`, then routing within the realm through one
 *   shared WampRouter (the backend router all proxy workers forward to).
 * - Several proxy workers share the port (SO_REUSEPORT): connection i is served by worker
 *   i % workers, deterministically, so tests can predict which connections are refused.
 * - A plain GET answers 200 with a small HTML status page, like Autobahn's; other paths 404.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../logger.js';
import { WampUri } from '../wamp/messages.js';
import type { FirstByteServer } from '../rawsocket/first-byte.js';
import { listenUniversal } from './rawsocket-transport.js';
import { anonymousWelcome, closeHttpServer, rejectUpgrade, requestPath, WampRouter, type HelloContext, type HelloDecision } from './wamp-router.js';

export interface SimulatedProxyOptions {
  /** Parallel proxy workers sharing the port; connection i is served by worker i % workers. Default 1. */
  workers?: number;
  /**
   * How a connection finds its worker: `round-robin` (default; connection i → worker i % workers,
   * so tests can predict it) or `random` (as the kernel's SO_REUSEPORT hash looks to a client).
   */
  spread?: 'round-robin' | 'random';
  /** Route lookup; default: the transport's own route table driven by startRoute/stopRoute. */
  hasRoute?: (realm: string, workerIndex: number) => boolean;
  /** WebCluster oid prefix for worker ids `cpw-<8>-<i>`. Default '9fbe067c'. */
  webclusterOid8?: string;
  /** Node authid reported in `x_cb_proxy_node`. Default 'node1'. */
  nodeAuthid?: string;
  /** WebSocket path. Default '/ws'; any other path answers 404. */
  path?: string;
  logger?: Logger;
}

/** Crossbar's refusal text (`PendingAuth._assign_principal`). */
export function noRealmMessage(realm: string): string {
  return `no realm "${realm}" exists on this router`;
}

export class SimulatedProxyTransport {
  /** The backend router; exposed so tests and the demo can register procedures in realms. */
  readonly router: WampRouter;
  private readonly workers: number;
  private readonly oid8: string;
  private readonly nodeAuthid: string;
  private readonly path: string;
  private readonly spread: 'round-robin' | 'random';
  private readonly hasRouteFn: ((realm: string, workerIndex: number) => boolean) | undefined;
  private readonly routeTable: Array<Set<string>>;
  private readonly counters = { connections: 0, welcomes: 0, refusals: 0 };
  private server: http.Server | undefined;
  /** The listener: a universal port (RawSocket by first octet 0x7F, else HTTP/WebSocket), as Crossbar's. */
  private front: FirstByteServer | undefined;
  private closing: Promise<void> | undefined;
  private bound: { port: number; host: string } | undefined;

  constructor(opts: SimulatedProxyOptions = {}) {
    this.workers = Math.max(1, Math.floor(opts.workers ?? 1));
    this.oid8 = opts.webclusterOid8 ?? '9fbe067c';
    this.nodeAuthid = opts.nodeAuthid ?? 'node1';
    this.path = opts.path ?? '/ws';
    this.hasRouteFn = opts.hasRoute;
    this.spread = opts.spread ?? 'round-robin';
    this.routeTable = Array.from({ length: this.workers }, () => new Set<string>());
    const logger = opts.logger ?? silentLogger();
    this.router = new WampRouter({ logger, onHello: (ctx) => this.decide(ctx) });
  }

  /** Worker id as Crossbar's webcluster monitor names it: `cpw-<oid8>-<i>`. */
  workerId(workerIndex: number): string {
    return `cpw-${this.oid8}-${workerIndex}`;
  }

  async listen(opts: { port?: number; host?: string } = {}): Promise<{ port: number; url: string; wsUrl: string }> {
    const host = opts.host ?? '127.0.0.1';
    const server = http.createServer((req, res) => this.onRequest(req, res));
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.closing || requestPath(req.url) !== this.path) {
        return rejectUpgrade(socket, 404, 'Not Found');
      }
      this.router.handleUpgrade(req, socket, head);
    });
    this.server = server;
    const { port, authority, front } = await listenUniversal(server, this.router, opts.port ?? 0, host);
    this.front = front;
    this.bound = { port, host };
    return { port, url: `http://${authority}`, wsUrl: `ws://${authority}${this.path}` };
  }

  /** Whether the port accepts connections now (false between down() and up()). */
  get listening(): boolean {
    return this.front?.server.listening === true;
  }

  /**
   * The node process stopped: every client connection is cut and the port refuses connections
   * (ECONNREFUSED), as with a stopped Crossbar node. Routes are forgotten by the caller (the
   * master's route table). Resolves when the port is closed.
   */
  async down(): Promise<void> {
    this.router.disconnectAll();
    // The front counts the sockets it handed to the http.Server: cut those too, or close() never ends.
    const closed = this.front?.close();
    this.front?.destroy();
    this.server?.closeAllConnections();
    await closed;
  }

  /** The node's proxy workers listen again on the same port. */
  async up(): Promise<void> {
    if (this.closing || this.listening || !this.bound) return;
    await this.listen(this.bound);
  }

  /** Add a route for `realm` on one worker, or on every worker when `workerIndex` is omitted. */
  startRoute(realm: string, workerIndex?: number): void {
    for (const i of this.indexes(workerIndex)) this.routeTable[i]!.add(realm);
  }

  /** Remove the route for `realm` (as a restarted proxy worker loses its routes). */
  stopRoute(realm: string, workerIndex?: number): void {
    for (const i of this.indexes(workerIndex)) this.routeTable[i]!.delete(realm);
  }

  /** Realms with a route on the worker, sorted — what `get_proxy_routes` returns. */
  routes(workerIndex: number): string[] {
    return [...(this.routeTable[workerIndex] ?? [])].sort();
  }

  /** Totals since start: WebSocket connections, WELCOMEs, and no_such_realm ABORTs sent. */
  stats(): { connections: number; welcomes: number; refusals: number } {
    return { ...this.counters, connections: this.router.stats().connections };
  }

  /** Closes client sockets (1001) and the listener. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const listener = this.front?.close();
      await this.router.close();
      // The http.Server gets its connections from the front (it never listens itself).
      this.server?.closeIdleConnections();
      await listener;
      await closeHttpServer(this.server, false);
    })();
    return this.closing;
  }

  /** Cuts everything at once. Idempotent. */
  destroy(): void {
    this.closing ??= Promise.resolve();
    this.front?.destroy();
    this.router.destroy();
    this.server?.closeAllConnections();
    void closeHttpServer(this.server, true);
  }

  private indexes(workerIndex: number | undefined): number[] {
    if (workerIndex === undefined) return this.routeTable.map((_, i) => i);
    if (!Number.isInteger(workerIndex) || workerIndex < 0 || workerIndex >= this.workers) {
      throw new RangeError(`worker index ${workerIndex} outside 0..${this.workers - 1}`);
    }
    return [workerIndex];
  }

  private decide(ctx: HelloContext): HelloDecision {
    const worker = this.spread === 'random' ? Math.floor(Math.random() * this.workers) : ctx.connectionIndex % this.workers;
    const realm = ctx.realm;
    if (realm === null) {
      return { abort: { reason: WampUri.NO_SUCH_REALM, message: 'no realm assigned' }, keepOpen: true };
    }
    const has = this.hasRouteFn ? this.hasRouteFn(realm, worker) : this.routeTable[worker]!.has(realm);
    if (!has) {
      this.counters.refusals += 1;
      return { abort: { reason: WampUri.NO_SUCH_REALM, message: noRealmMessage(realm) }, keepOpen: true };
    }
    this.counters.welcomes += 1;
    const anon = anonymousWelcome(ctx);
    if (!('welcome' in anon)) return anon;
    const peer = ctx.request.socket;
    return {
      welcome: {
        ...anon.welcome,
        authextra: {
          x_cb_proxy_node: this.nodeAuthid,
          x_cb_proxy_worker: this.workerId(worker),
          x_cb_proxy_peer: `tcp4:${peer.remoteAddress ?? '?'}:${peer.remotePort ?? 0}`,
          x_cb_proxy_pid: process.pid,
        },
      },
    };
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = requestPath(req.url);
    if (path !== this.path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    const body =
      '<!DOCTYPE html><html><head><title>Crossbar.io (simulated)</title></head><body>' +
      `<h1>Crossbar.io proxy transport (simulated)</h1><p>This is a WAMP-WebSocket endpoint on <code>${this.path}</code>` +
      ` served by ${this.workers} proxy worker(s). Connect with a WAMP client.</p></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  }
}
