import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLog } from '../access-log.js';
import { ErrorCodes, RealmgateError } from '../errors.js';
import type { ServerTlsOptions } from '../tls/listener-tls.js';
import type { UpstreamTlsOptions } from '../tls/upstream-tls.js';
import type { GateContext } from './gate-context.js';
import { realmLabel } from './gate-context.js';
import { createHttpForward } from './http-forward.js';
import { badRequest, refusalBody, writeRaw } from './reject.js';
import { createUpgradeGate, type HelloHandler } from './upgrade-gate.js';
import { parseUpgradeHead, type UpgradeRequest } from './upgrade-request.js';
import { FirstByteServer } from '../rawsocket/first-byte.js';
import type { RawSocketHandler } from '../rawsocket/session.js';

/** Connections past listen.maxConnections that are still answered 503 before Node drops silently. */
export const CONNECTION_REFUSAL_RESERVE = 1024;

/** Node's default is 16 KiB; a larger head is refused with 431 before it is buffered. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The client-facing server: plain HTTP is forwarded, upgrades go through the
 * gate. A plain node:http server (not fastify) because the upgrade path needs
 * the raw socket and the HTTP path needs nothing but forwarding.
 */
export class DataPlane {
  readonly #ctx: GateContext;
  readonly #server: http.Server | https.Server;
  readonly #forward: ReturnType<typeof createHttpForward>;
  /** Sockets refused for listen.maxConnections: answered already, nothing they send is served. */
  readonly #refused = new WeakSet<object>();
  /** With RawSocket: the port's listener, sorting connections by their first byte (else the http.Server listens). */
  readonly #front: FirstByteServer | undefined;
  #open = 0;
  #closed = false;
  /** One listener for every connection's 'close' (emitted once), not a closure per connection. */
  readonly #onClose = (): void => {
    this.#open--;
  };

  /**
   * `tls`: terminate TLS on the client port (same handlers behind it); `access`: the access log's begin hook;
   * `rawSocket`: RawSocket clients on the same port by first byte 0x7F (not with TLS: the first byte is the TLS record's).
   */
  constructor(ctx: GateContext, helloHandler?: HelloHandler, opts: { tls?: ServerTlsOptions | undefined; upstreamTls?: UpstreamTlsOptions | undefined; access?: AccessLog | undefined; rawSocket?: RawSocketHandler | undefined } = {}) {
    this.#ctx = ctx;
    this.#forward = createHttpForward({ upstreamUrl: ctx.config.upstream.url, timeoutMs: 60_000, logger: ctx.logger, tls: opts.upstreamTls });
    const { headersTimeoutMs, maxConnections } = ctx.config.listen;
    const httpOpts = {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(60_000, headersTimeoutMs),
      // Node checks the two timeouts on this interval (default 30 s, far too coarse for a 10 s bound).
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    };
    // handshakeTimeout: a client that opens TCP and never finishes the TLS handshake holds a socket; bound it like headers.
    this.#server = opts.tls ? https.createServer({ ...httpOpts, ...opts.tls, handshakeTimeout: headersTimeoutMs }) : http.createServer(httpOpts);
    // Past maxConnections a client is told so (503 overload) instead of being reset; past a
    // further reserve Node drops silently, so the gate can never run out of fds for the admin port.
    this.#server.maxConnections = maxConnections + CONNECTION_REFUSAL_RESERVE;
    this.#server.on('request', (req, res) => {
      if (this.#refused.has(req.socket)) return;
      // Not forwardable, and the forward dropped them without an answer: the method PRI (reserved
      // for the HTTP/2 preface) and targets other than origin-form (/path) or absolute-form.
      if (req.method === 'PRI' || !/^(\/|https?:\/\/)/i.test(req.url ?? '')) {
        ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request', { socket: req.socket });
        res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: 'bad_request', message: 'method PRI or a request target other than a path cannot be forwarded' }));
        return;
      }
      if (ctx.admission.draining) res.setHeader('connection', 'close');
      this.#forward.forward(req, res, () => {});
    });
    const onUpgrade = createUpgradeGate(ctx, helloHandler);
    const access = opts.access;
    const upgrade = (req: UpgradeRequest, socket: Duplex, head: Buffer): void => {
      if (this.#refused.has(socket)) return void socket.destroy();
      access?.begin(req, socket);
      onUpgrade(req, socket, head);
    };
    this.#server.on('upgrade', upgrade);
    // A WebSocket upgrade whose whole head came in the first chunk skips node:http (it would only
    // hand the socket back); the socket is left as node:http leaves an upgraded one: not flowing
    // until the gate reads it, and whatever arrives meanwhile buffered.
    const fastUpgrade = (socket: Socket, first: Buffer): boolean => {
      const parsed = parseUpgradeHead(first, socket);
      if (parsed === undefined) return false;
      // (Typed read-only, but Readable has the setter node:http itself uses for this.)
      (socket as { readableFlowing: boolean | null }).readableFlowing = null;
      upgrade(parsed.req, socket, parsed.rest);
      return true;
    };
    // Without a 'connect' listener node drops a CONNECT request with no answer at all.
    this.#server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
      socket.on('error', () => {});
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request', { socket });
      badRequest(socket, 'CONNECT is not supported', 405, 'Method Not Allowed');
    });
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(err, socket));
    // RawSocket clients share the client port (first byte 0x7F), as on Crossbar's universal transport.
    this.#front = opts.rawSocket && !opts.tls
      ? new FirstByteServer({ rawSocket: (socket, first) => (this.#refused.has(socket) ? socket.destroy() : opts.rawSocket!(socket, first)), other: (s) => this.#server.emit('connection', s), upgrade: fastUpgrade, idleTimeoutMs: headersTimeoutMs })
      : undefined;
    // The front is then the real listener: Node's own connection cap (the fd reserve for the admin port) belongs there.
    if (this.#front) this.#front.server.maxConnections = maxConnections + CONNECTION_REFUSAL_RESERVE;
    // Counted where connections arrive: with the front, before their first byte (an idle connection counts too).
    (this.#front?.server ?? this.#server).prependListener('connection', (socket: Socket) => this.#admitConnection(socket, maxConnections));
  }

  /** Counts the connection; past the limit answers 503 overload at once and closes it. */
  #admitConnection(socket: Socket, max: number): void {
    this.#open++;
    socket.on('close', this.#onClose);
    if (this.#open <= max) return;
    this.#refused.add(socket);
    socket.on('error', () => {});
    this.#ctx.metrics.connection(realmLabel(this.#ctx, undefined), 'rejected_overload');
    // On the TLS port this is the raw TCP socket: a plaintext answer would be garbage to the client, so it is cut.
    if (this.#server instanceof https.Server) return void socket.destroy();
    const retry = this.#ctx.config.defaults.retryAfterSeconds;
    writeRaw(socket, 503, 'Service Unavailable', refusalBody('overload', undefined, retry), { 'Retry-After': String(retry), 'X-Realmgate-Reason': 'overload' });
    // The answer is short; a client that does not read it is cut soon (the fd is what is scarce).
    const t = setTimeout(() => socket.destroy(), 1000);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  }

  /** Client connections open now (refused ones included until they close). */
  get connections(): number {
    return this.#open;
  }

  /** Malformed HTTP never crashes the gate: a 4xx if the socket still takes it, else it is cut. */
  #clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    if (this.#refused.has(socket)) return void socket.destroy();
    // A reset (e.g. a keep-alive client going away) is not a bad request: nothing is answered or counted.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    this.#ctx.metrics.connection(realmLabel(this.#ctx, undefined), 'bad_request', { socket });
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      writeRaw(socket, 431, 'Request Header Fields Too Large', JSON.stringify({ error: 'bad_request', message: `request head larger than ${MAX_HEADER_BYTES} bytes` }));
      return;
    }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      writeRaw(socket, 408, 'Request Timeout', JSON.stringify({ error: 'bad_request', message: 'request timed out' }));
      return;
    }
    badRequest(socket, `malformed HTTP request (${err.code ?? 'parse error'})`);
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    const server = this.#front?.server ?? this.#server;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void =>
        reject(new RealmgateError(ErrorCodes.LISTEN, `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }));
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        // node:http starts its connection tracking (headersTimeout, requestTimeout, closeAllConnections)
        // on its own 'listening'; with the first-byte listener in front it never listens itself.
        if (server !== this.#server) this.#server.emit('listening');
        resolve(server.address() as AddressInfo);
      });
    });
  }

  /** New certificate/key/CA for new handshakes (rotation, SIGHUP); open connections keep theirs. */
  setSecureContext(tls: ServerTlsOptions): void {
    if (this.#server instanceof https.Server) this.#server.setSecureContext(tls);
  }

  get secure(): boolean {
    return this.#server instanceof https.Server;
  }

  address(): AddressInfo {
    return (this.#front?.server ?? this.#server).address() as AddressInfo;
  }

  /**
   * Stops accepting connections; open tunnels and in-flight HTTP go on (the
   * lifecycle waits for tunnels itself). Idempotent.
   */
  stopAccepting(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#front?.close();
    this.#server.close();
    this.#server.closeIdleConnections();
  }

  /** Cuts every connection (HTTP included). */
  destroy(): void {
    this.#closed = true;
    this.#front?.destroy();
    this.#server.close();
    this.#server.closeAllConnections();
    this.#forward.close();
  }
}
