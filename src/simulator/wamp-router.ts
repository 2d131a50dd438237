/**
 * A small in-process WAMP router (basic profile + pattern subscriptions + progressive results),
 * used by the simulated Crossbar proxy transport, the simulated master API, tests and the demo.
 * Speaks WAMP over WebSocket with json/msgpack/cbor (and .batched); picks the client's FIRST
 * offered subprotocol it supports and answers 400 when there is none, as Crossbar does.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger, type Logger } from '../logger.js';
import { parseSubprotocol, pickSubprotocol, SUPPORTED_SUBPROTOCOLS, type WampSubprotocol } from '../wamp/serializers.js';
import { RouterRealm, type ProcedureHandler } from '../wamp/router-realm.js';
import { WampSession, type HelloContext, type HelloDecision, type SessionHost } from './wamp-session.js';

export { WampError } from '../wamp/wamp-error.js';
export type { ProcedureHandler } from '../wamp/router-realm.js';
export type { HelloContext, HelloDecision, WelcomeInfo } from './wamp-session.js';

export interface WampRouterOptions {
  /** Subprotocols offered. Default: all six json/msgpack/cbor (+ .batched). */
  subprotocols?: readonly string[];
  /** Decides each HELLO. Default: welcome as anonymous for any non-null realm. */
  onHello?(ctx: HelloContext): HelloDecision | Promise<HelloDecision>;
  logger?: Logger;
  /** Largest WebSocket message accepted, in bytes. Default 16 MiB. */
  maxPayloadBytes?: number;
}

/**
 * The path of a request target, never throwing: `new URL('//////', base)` throws on a
 * request target like `//////////` (found by the reliability suite's fuzzing), which
 * would crash the simulator's process. Such a target yields its raw path.
 */
export function requestPath(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://x').pathname;
  } catch {
    return (url ?? '/').split('?')[0] ?? '/';
  }
}

/** Welcome everyone as anonymous (Crossbar's built-in default policy on a proxy transport). */
export function anonymousWelcome(ctx: HelloContext): HelloDecision {
  const authid = typeof ctx.details['authid'] === 'string' ? ctx.details['authid'] : `anonymous-${ctx.connectionIndex}`;
  return { welcome: { authid, authrole: 'anonymous', authmethod: 'anonymous', authprovider: 'static' } };
}

export class WampRouter {
  private readonly logger: Logger;
  private readonly subprotocols: readonly string[];
  private readonly onHello: (ctx: HelloContext) => HelloDecision | Promise<HelloDecision>;
  private readonly wss: WebSocketServer;
  private readonly realms = new Map<string, RouterRealm>();
  private readonly sessions = new Set<WampSession>();
  private readonly sockets = new Set<WebSocket>();
  private readonly counters = { hellos: 0, welcomes: 0, aborts: 0, connections: 0 };
  private readonly host: SessionHost;
  private server: http.Server | undefined;
  private lastId = 0;
  private closing: Promise<void> | undefined;

  constructor(opts: WampRouterOptions = {}) {
    this.logger = opts.logger ?? silentLogger();
    this.subprotocols = opts.subprotocols ?? SUPPORTED_SUBPROTOCOLS;
    this.onHello = opts.onHello ?? anonymousWelcome;
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: opts.maxPayloadBytes ?? 16 * 1024 * 1024,
      clientTracking: false,
      handleProtocols: (offered) => this.pick([...offered])?.protocol ?? false,
    });
    this.host = {
      logger: this.logger,
      decideHello: (ctx) => this.onHello(ctx),
      realm: (name) => this.realm(name),
      count: (what) => { this.counters[what] += 1; },
    };
  }

  /**
   * Standalone: an http.Server on host:port (default 127.0.0.1:0) serving WebSocket on `path`
   * (default: any path); other paths get 404, plain HTTP requests 426.
   */
  async listen(opts: { port?: number; host?: string; path?: string } = {}): Promise<{ port: number; url: string }> {
    const host = opts.host ?? '127.0.0.1';
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('WebSocket (WAMP) only\n');
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = requestPath(req.url);
      if (opts.path !== undefined && path !== opts.path) return rejectUpgrade(socket, 404, 'Not Found');
      this.handleUpgrade(req, socket, head);
    });
    this.server = server;
    const { port, authority } = await listenHttp(server, opts.port ?? 0, host);
    return { port, url: `ws://${authority}${opts.path ?? '/'}` };
  }

  /** Mount on an existing http.Server's 'upgrade' event. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.closing) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (!this.pick(String(req.headers['sec-websocket-protocol'] ?? '').split(','))) {
      return rejectUpgrade(socket, 400, 'Bad Request', `This server only speaks WebSocket subprotocols ${this.subprotocols.join(', ')}\n`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  /**
   * Serves a WAMP peer that arrived on another transport (the RawSocket front): `ws` is an object
   * with the `ws` members a session uses, `req` what the session knows of the connection.
   */
  attach(ws: WebSocket, req: http.IncomingMessage): void {
    this.accept(ws, req);
  }

  /**
   * An in-process procedure on `realm`. Its return value becomes RESULT: an array is the args
   * list, `{ args, kwargs }` is taken as is, anything else is the single argument. Throw
   * WampError to answer ERROR with its URI; any other throw becomes wamp.error.runtime_error.
   */
  register(realm: string, procedure: string, handler: ProcedureHandler): void {
    this.realm(realm).registerLocal(procedure, handler);
  }

  /** Publish to subscribers of `realm` (exact, prefix and wildcard subscriptions match). */
  publish(realm: string, topic: string, args?: unknown[], kwargs?: Record<string, unknown>): void {
    this.realm(realm).publishLocal(topic, args, kwargs);
  }

  /**
   * Counters. `sessions`: joined sessions now; `openConnections`: WebSockets open now;
   * `connections`, `hellos`, `welcomes`, `aborts`: totals since start.
   */
  stats(): { sessions: number; hellos: number; welcomes: number; aborts: number; connections: number; openConnections: number } {
    let sessions = 0;
    for (const s of this.sessions) if (s.isJoined) sessions += 1;
    return { sessions, ...this.counters, openConnections: this.sockets.size };
  }

  /** Closes all client sockets (1001, waits up to 2 s for each close handshake) and the listener. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const sockets = [...this.sockets];
      for (const s of this.sessions) s.close(1001, 'router shutting down');
      await Promise.all(sockets.map((ws) => waitClosed(ws, 2000)));
      await this.closeServer(false);
    })();
    return this.closing;
  }

  /** Cuts every client socket at once but keeps serving (a process behind the port died). */
  disconnectAll(): void {
    for (const s of this.sessions) s.terminate();
    for (const ws of this.sockets) ws.terminate();
  }

  /** Cuts every socket at once and stops listening. Idempotent. */
  destroy(): void {
    this.closing ??= Promise.resolve();
    for (const s of this.sessions) s.terminate();
    for (const ws of this.sockets) ws.terminate();
    void this.closeServer(true);
  }

  private async closeServer(force: boolean): Promise<void> {
    this.wss.close();
    await closeHttpServer(this.server, force);
  }

  private pick(offered: string[]): WampSubprotocol | undefined {
    return pickSubprotocol(offered.filter((p) => this.subprotocols.includes(p.trim())));
  }

  private accept(ws: WebSocket, req: http.IncomingMessage): void {
    const sp = parseSubprotocol(ws.protocol);
    const index = this.counters.connections++;
    if (!sp || this.closing) {
      ws.terminate();
      return;
    }
    this.sockets.add(ws);
    const session = new WampSession(ws, sp, req, index, this.host);
    this.sessions.add(session);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.sessions.delete(session);
    });
  }

  private realm(name: string): RouterRealm {
    let realm = this.realms.get(name);
    if (!realm) {
      realm = new RouterRealm(name, () => ++this.lastId, this.logger);
      this.realms.set(name, realm);
    }
    return realm;
  }
}

/** A full raw HTTP response on a socket whose upgrade is refused (as ws `abortHandshake` does). */
export function rejectUpgrade(socket: Duplex, status: number, statusText: string, body = `${statusText}\n`): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Listen and report the bound port and `host:port` (IPv6 in brackets) for URLs. */
export async function listenHttp(server: http.Server, port: number, host: string): Promise<{ port: number; authority: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const bound = (server.address() as import('node:net').AddressInfo).port;
  return { port: bound, authority: `${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** Stop listening; `force` also cuts open keep-alive connections. Resolves when closed. */
export async function closeHttpServer(server: http.Server | undefined, force: boolean): Promise<void> {
  if (!server || !server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if (force) server.closeAllConnections();
    else server.closeIdleConnections();
  });
}

function waitClosed(ws: WebSocket, timeoutMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { ws.terminate(); resolve(); }, timeoutMs);
    timer.unref();
    ws.once('close', () => { clearTimeout(timer); resolve(); });
  });
}
