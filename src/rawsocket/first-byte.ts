import net from 'node:net';
import type { Duplex } from 'node:stream';
import { RAWSOCKET_MAGIC } from './framing.js';
import { SlotSet } from '../proxy/slot-set.js';

/** A waiting socket's slot in FirstByteServer's set, kept on the socket: the shared listeners have only `this`. */
const WAITING_SLOT = Symbol('realmgate.firstByteSlot');
type WaitingSocket = net.Socket & { [WAITING_SLOT]?: number };

export interface FirstByteOptions {
  /** Gets the connections whose first byte is 0x7F, with the bytes read so far. */
  rawSocket(socket: Duplex, first: Buffer): void;
  /**
   * Gets every other connection (e.g. an http.Server's 'connection'); the listener it adds for
   * 'data' is then given the first chunk.
   */
  other(socket: net.Socket): void;
  /**
   * Offered every other connection's first chunk before `other`: true when it took the
   * connection (the WebSocket upgrade fast path, proxy/upgrade-request.ts), false to pass it on.
   */
  upgrade?(socket: net.Socket, first: Buffer): boolean;
  /** A connection that sends nothing this long is cut (ms). */
  idleTimeoutMs: number;
}

/**
 * One port, two protocols, as Crossbar's universal transport: a connection whose first octet is
 * 0x7F speaks RawSocket, any other speaks HTTP (no HTTP method starts with 0x7F). The first chunk
 * is read, then either handed with the socket to the RawSocket side, or the socket is given to the
 * HTTP server as a fresh connection and the chunk emitted to the 'data' listener it added.
 *
 * This runs for every connection on the client port, so it allocates nothing per connection
 * beyond a slot: the listeners are shared (`this` is the socket), and the idle bound is one
 * sweep over the waiting sockets instead of a timer per socket. The waiting sockets are array
 * slots, not a Map (proxy/slot-set.ts says why). (Session CPU, `bench/gc-probe.ts
 * --sessions`: the earlier per-socket closures, socket.setTimeout and `unshift` + `resume` of the
 * first chunk cost more than the HTTP parse of the request.)
 *
 * Sockets still waiting for their first byte are tracked so destroy() reaches them.
 */
export class FirstByteServer {
  readonly server: net.Server;
  /** Sockets waiting for their first byte, stamped with when they arrived (ms, monotonic). */
  readonly #waiting = new SlotSet<net.Socket>();
  readonly #idleTimeoutMs: number;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(opts: FirstByteOptions) {
    this.#idleTimeoutMs = opts.idleTimeoutMs;
    const waiting = this.#waiting;
    // Shared by every socket: EventEmitter calls them with `this` = the socket.
    function done(socket: WaitingSocket): void {
      waiting.delete(socket[WAITING_SLOT] ?? -1, socket);
      socket.off('data', onData);
      socket.off('error', onGone);
      socket.off('close', onGone);
      socket.off('end', onGone);
    }
    function onGone(this: net.Socket): void {
      done(this);
      this.destroy();
    }
    function onData(this: net.Socket, chunk: Buffer): void {
      done(this);
      if (chunk[0] === RAWSOCKET_MAGIC) {
        this.pause();
        return opts.rawSocket(this, chunk);
      }
      if (opts.upgrade?.(this, chunk) === true) return;
      // node:http adds its 'data' listener and consumes the handle (later reads go straight to its
      // parser); the socket stays flowing as node:http expects. The chunk already read is given to
      // that listener directly: no unshift, no extra tick.
      opts.other(this);
      if (!this.destroyed) this.emit('data', chunk);
    }
    // allowHalfOpen as node:http's own listener: an HTTP client that sends its request and FIN still
    // gets its answer (with auto-end, a 400 for a bad request would find the socket unwritable).
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket: WaitingSocket) => {
      socket[WAITING_SLOT] = waiting.add(socket, performance.now());
      this.#sweeper ??= this.#startSweeper();
      socket.on('data', onData);
      socket.on('error', onGone);
      socket.on('close', onGone);
      // A FIN before any byte: nothing to answer, and with allowHalfOpen the socket would otherwise stay.
      socket.on('end', onGone);
    });
  }

  /**
   * Cuts sockets that sent nothing within idleTimeoutMs: checked every quarter of it (at most
   * every second, at least every 50 ms), so one is cut within 1.25 × the bound. Stops itself when
   * nobody waits.
   */
  #startSweeper(): NodeJS.Timeout {
    const step = Math.max(50, Math.min(1000, Math.floor(this.#idleTimeoutMs / 4)));
    const t = setInterval(() => {
      if (this.#waiting.size === 0) {
        clearInterval(t);
        this.#sweeper = undefined;
        return;
      }
      const cutoff = performance.now() - this.#idleTimeoutMs;
      // Destroying one runs its 'close' listener (done()) later; it leaves the set now.
      this.#waiting.forEach((socket, at, slot) => {
        if (at > cutoff) return;
        this.#waiting.delete(slot, socket);
        socket.destroy();
      });
    }, step);
    t.unref();
    return t;
  }

  /** Stops accepting; connections already handed on are not touched. Resolves once the listener is closed. */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Also cuts the connections that have not sent their first byte. */
  destroy(): void {
    if (this.server.listening) this.server.close();
    for (const s of this.#waiting.values()) s.destroy();
    this.#waiting.clear();
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
