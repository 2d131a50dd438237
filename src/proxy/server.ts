import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCodes, RealmgateError } from '../errors.js';
import type { GateContext } from './gate-context.js';
import { realmLabel } from './gate-context.js';
import { createHttpForward } from './http-forward.js';
import { badRequest, writeRaw } from './reject.js';
import { createUpgradeGate, type HelloHandler } from './upgrade-gate.js';
import { FirstByteServer } from '../rawsocket/first-byte.js';
import type { RawSocketHandler } from '../rawsocket/session.js';

/** Node's default is 16 KiB; a larger head is refused with 431 before it is buffered. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The client-facing server: plain HTTP is forwarded, upgrades go through the
 * gate. A plain node:http server (not fastify) because the upgrade path needs
 * the raw socket and the HTTP path needs nothing but forwarding.
 */
export class DataPlane {
  readonly #ctx: GateContext;
  readonly #server: http.Server;
  readonly #forward: ReturnType<typeof createHttpForward>;
  /** With RawSocket: the port's listener, sorting connections by their first byte (else the http.Server listens). */
  readonly #front: FirstByteServer | undefined;
  #closed = false;

  constructor(ctx: GateContext, helloHandler?: HelloHandler, rawSocket?: RawSocketHandler) {
    this.#ctx = ctx;
    this.#forward = createHttpForward({ upstreamUrl: ctx.config.upstream.url, timeoutMs: 60_000, logger: ctx.logger });
    this.#server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 60_000, headersTimeout: 30_000 });
    this.#server.on('request', (req, res) => {
      // Not forwardable, and the forward dropped them without an answer: the method PRI (reserved
      // for the HTTP/2 preface) and targets other than origin-form (/path) or absolute-form.
      if (req.method === 'PRI' || !/^(\/|https?:\/\/)/i.test(req.url ?? '')) {
        ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
        res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: 'bad_request', message: 'method PRI or a request target other than a path cannot be forwarded' }));
        return;
      }
      if (ctx.admission.draining) res.setHeader('connection', 'close');
      this.#forward.forward(req, res, () => {});
    });
    this.#server.on('upgrade', createUpgradeGate(ctx, helloHandler));
    // Without a 'connect' listener node drops a CONNECT request with no answer at all.
    this.#server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
      socket.on('error', () => {});
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
      badRequest(socket, 'CONNECT is not supported', 405, 'Method Not Allowed');
    });
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(err, socket));
    // RawSocket clients share the client port (first byte 0x7F), as on Crossbar's universal transport.
    this.#front = rawSocket && new FirstByteServer({ rawSocket, other: (s) => this.#server.emit('connection', s), idleTimeoutMs: 30_000 });
  }

  /** Malformed HTTP never crashes the gate: a 4xx if the socket still takes it, else it is cut. */
  #clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    // A reset (e.g. a keep-alive client going away) is not a bad request: nothing is answered or counted.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    this.#ctx.metrics.connection(realmLabel(this.#ctx, undefined), 'bad_request');
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
