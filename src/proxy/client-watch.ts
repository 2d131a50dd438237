import type { Duplex } from 'node:stream';

/**
 * Watches a client socket between the upgrade request and the tunnel.
 * A WebSocket client sends nothing before the 101, but a few bytes may come
 * early; they are kept (bounded) and forwarded in order. A client that hangs up
 * fires 'end' but, with the HTTP server's half-open sockets, maybe never
 * 'close' — so 'end' counts as gone too.
 */
export class ClientWatch {
  readonly #socket: Duplex;
  readonly #maxEarlyBytes: number;
  readonly #early: Buffer[] = [];
  #earlyBytes = 0;
  #gone = false;
  #onGone: (() => void) | undefined;
  readonly #onData = (chunk: Buffer): void => {
    this.#earlyBytes += chunk.length;
    if (this.#earlyBytes > this.#maxEarlyBytes) {
      this.#socket.destroy();
      return;
    }
    this.#early.push(chunk);
  };
  readonly #leave = (): void => {
    if (this.#gone) return;
    this.#gone = true;
    const cb = this.#onGone;
    this.#onGone = undefined;
    cb?.();
  };

  constructor(socket: Duplex, maxEarlyBytes = 65_536) {
    this.#socket = socket;
    this.#maxEarlyBytes = maxEarlyBytes;
    socket.on('data', this.#onData);
    socket.on('end', this.#leave);
    socket.on('close', this.#leave);
    socket.on('error', this.#leave);
  }

  get gone(): boolean {
    return this.#gone || this.#socket.destroyed;
  }

  /** Called once when the client leaves (not after release()). */
  onGone(cb: () => void): void {
    this.#onGone = cb;
  }

  /** The early bytes so far (cleared), while still watching for a hang-up. */
  takeEarly(): Buffer {
    const out = Buffer.concat(this.#early);
    this.#early.length = 0;
    return out;
  }

  /** Stops watching; returns the early bytes. Leaves a no-op error listener so a late error cannot crash. */
  release(): Buffer {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#leave);
    this.#socket.off('close', this.#leave);
    this.#socket.off('error', this.#leave);
    this.#onGone = undefined;
    this.#socket.pause();
    return Buffer.concat(this.#early);
  }
}
