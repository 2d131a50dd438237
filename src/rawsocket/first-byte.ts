import net from 'node:net';
import type { Duplex } from 'node:stream';
import { RAWSOCKET_MAGIC } from './framing.js';

export interface FirstByteOptions {
  /** Gets the connections whose first byte is 0x7F, with the bytes read so far. */
  rawSocket(socket: Duplex, first: Buffer): void;
  /** Gets every other connection, its first bytes put back (e.g. an http.Server's 'connection'). */
  other(socket: net.Socket): void;
  /** A connection that sends nothing this long is cut (ms). */
  idleTimeoutMs: number;
}

/**
 * One port, two protocols, as Crossbar's universal transport: a connection whose first octet is
 * 0x7F speaks RawSocket, any other speaks HTTP (no HTTP method starts with 0x7F). The first chunk
 * is read, then either handed with the socket to the RawSocket side, or pushed back with
 * `unshift` before the socket is given to the HTTP server as a fresh connection.
 *
 * Sockets still waiting for their first byte are tracked so destroy() reaches them.
 */
export class FirstByteServer {
  readonly server: net.Server;
  readonly #waiting = new Set<net.Socket>();

  constructor(opts: FirstByteOptions) {
    // allowHalfOpen as node:http's own listener: an HTTP client that sends its request and FIN still
    // gets its answer (with auto-end, a 400 for a bad request would find the socket unwritable).
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
      this.#waiting.add(socket);
      const done = (): void => {
        this.#waiting.delete(socket);
        socket.setTimeout(0);
        socket.off('data', onData);
        socket.off('error', onGone);
        socket.off('close', onGone);
        socket.off('end', onGone);
        socket.off('timeout', onGone);
      };
      const onGone = (): void => {
        done();
        socket.destroy();
      };
      const onData = (chunk: Buffer): void => {
        done();
        socket.pause();
        if (chunk[0] === RAWSOCKET_MAGIC) return opts.rawSocket(socket, chunk);
        socket.unshift(chunk);
        opts.other(socket);
        // node:http consumes the handle directly; the put-back chunk waits in the stream until it flows.
        socket.resume();
      };
      socket.setTimeout(opts.idleTimeoutMs);
      socket.on('data', onData);
      socket.on('error', onGone);
      socket.on('close', onGone);
      // A FIN before any byte: nothing to answer, and with allowHalfOpen the socket would otherwise stay.
      socket.on('end', onGone);
      socket.on('timeout', onGone);
    });
  }

  /** Stops accepting; connections already handed on are not touched. Resolves once the listener is closed. */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Also cuts the connections that have not sent their first byte. */
  destroy(): void {
    if (this.server.listening) this.server.close();
    for (const s of this.#waiting) s.destroy();
    this.#waiting.clear();
  }
}
