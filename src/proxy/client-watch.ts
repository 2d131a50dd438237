import type { Duplex } from 'node:stream';
import { BUFFERED_BYTE_WEIGHT, type BudgetCharge } from './budget.js';

const NO_BYTES = Buffer.alloc(0);

/** What one kept chunk costs beyond its bytes (the Buffer object and its array slot). */
const CHUNK_OVERHEAD = 128;

/**
 * Watches a client socket between the upgrade request and the tunnel.
 * A WebSocket client sends nothing before the 101, but a few bytes may come
 * early; they are kept (bounded) and forwarded in order. A client that hangs up
 * fires 'end' but, with the HTTP server's half-open sockets, maybe never
 * 'close' — so 'end' counts as gone too.
 *
 * The watch owns the connection's pre-admission budget charge: early bytes are charged as they
 * come, and the whole charge is returned on release() or when the client leaves.
 */
export class ClientWatch {
  readonly #socket: Duplex;
  readonly #maxEarlyBytes: number;
  readonly #early: Buffer[] = [];
  readonly #charge: BudgetCharge | undefined;
  #earlyBytes = 0;
  #gone = false;
  #onGone: (() => void) | undefined;
  readonly #onData = (chunk: Buffer): void => {
    this.#earlyBytes += chunk.length;
    // A WebSocket client sends nothing before the 101: past the bound (or the global budget) it is cut.
    if (this.#earlyBytes > this.#maxEarlyBytes || (this.#charge && !this.#charge.add((chunk.length + CHUNK_OVERHEAD) * BUFFERED_BYTE_WEIGHT))) {
      this.#socket.destroy();
      return;
    }
    this.#early.push(chunk);
  };
  readonly #leave = (): void => {
    if (this.#gone) return;
    this.#gone = true;
    this.#charge?.release();
    this.#early.length = 0;
    const cb = this.#onGone;
    this.#onGone = undefined;
    cb?.();
  };

  constructor(socket: Duplex, charge?: BudgetCharge, maxEarlyBytes = 65_536) {
    this.#socket = socket;
    this.#charge = charge;
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
    this.#charge?.release();
    this.#socket.pause();
    // The usual case (a WebSocket client sends nothing before the 101): no concat.
    if (this.#early.length === 0) return NO_BYTES;
    const out = this.#early.length === 1 ? this.#early[0]! : Buffer.concat(this.#early);
    this.#early.length = 0;
    return out;
  }
}
