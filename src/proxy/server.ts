import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLog } from '../access-log.js';
import { ErrorCodes, RealmgateError } from '../errors.js';
import type { ServerTlsOptions } from '../tls/listener-tls.js';
import type { UpstreamTlsOptions } from '../tls/upstream-tls.js';
import type { GateContext } from './gate-context.js';
import { realmLabel } from './gate-context.js';
import { createHttpForward } from './http-forward.js';
import { badRequest, writeRaw } from './reject.js';
import { createUpgradeGate, type HelloHandler } from './upgrade-gate.js';

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
  #closed = false;

  /** `tls`: terminate TLS on the client port (same handlers behind it); `access`: the access log's begin hook. */
  constructor(ctx: GateContext, helloHandler?: HelloHandler, opts: { tls?: ServerTlsOptions | undefined; upstreamTls?: UpstreamTlsOptions | undefined; access?: AccessLog | undefined } = {}) {
    this.#ctx = ctx;
    this.#forward = createHttpForward({ upstreamUrl: ctx.config.upstream.url, timeoutMs: 60_000, logger: ctx.logger, tls: opts.upstreamTls });
    const httpOpts = { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 60_000, headersTimeout: 30_000 };
    // handshakeTimeout: a client that opens TCP and never finishes the TLS handshake holds a socket; bound it like headers.
    this.#server = opts.tls ? https.createServer({ ...httpOpts, ...opts.tls, handshakeTimeout: 30_000 }) : http.createServer(httpOpts);
    this.#server.on('request', (req, res) => {
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
    this.#server.on('upgrade', access ? (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      access.begin(req, socket);
      onUpgrade(req, socket, head);
    } : onUpgrade);
    // Without a 'connect' listener node drops a CONNECT request with no answer at all.
    this.#server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
      socket.on('error', () => {});
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request', { socket });
      badRequest(socket, 'CONNECT is not supported', 405, 'Method Not Allowed');
    });
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(err, socket));
  }

  /** Malformed HTTP never crashes the gate: a 4xx if the socket still takes it, else it is cut. */
  #clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
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
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void =>
        reject(new RealmgateError(ErrorCodes.LISTEN, `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve(this.#server.address() as AddressInfo);
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
    return this.#server.address() as AddressInfo;
  }

  /**
   * Stops accepting connections; open tunnels and in-flight HTTP go on (the
   * lifecycle waits for tunnels itself). Idempotent.
   */
  stopAccepting(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    this.#server.closeIdleConnections();
  }

  /** Cuts every connection (HTTP included). */
  destroy(): void {
    this.#closed = true;
    this.#server.close();
    this.#server.closeAllConnections();
    this.#forward.close();
  }
}
