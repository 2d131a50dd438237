import type { Duplex } from 'node:stream';
import { describeError } from '../errors.js';
import { BUFFERED_BYTE_WEIGHT, type BudgetCharge } from '../proxy/budget.js';
import { FRAME_OVERHEAD_BYTES } from '../proxy/peeked-client.js';
import {
  encodeFrame, encodeHandshake, encodeHandshakeError, type Frame, FrameReader, FrameType, type Handshake,
  parseClientHandshake, RAWSOCKET_MAX_LENGTH_EXP,
} from './framing.js';

export interface FirstMessage {
  payload: Buffer;
  /** The frame's exact bytes, forwarded to the upstream unchanged. */
  raw: Buffer;
}

export type ClientEnd = { kind: 'gone' } | { kind: 'protocol'; reason: string };

/** How long a closed client may take to read our last bytes before it is cut (ms). */
const LINGER_MS = 2000;

/**
 * The client side of a RawSocket connection until its tunnel starts: answers the opening
 * handshake itself (the client's serializer, Crossbar's default maximum length), reads frames
 * until the first WAMP message, then keeps reading while the client is held — answering pings
 * and keeping every later message frame's bytes, in order, for the upstream.
 *
 * Everything read before admission is bounded: one frame by `maxBytes` (checked from its header),
 * all of it together by 2 × maxBytes + 1 KiB, as for WebSocket clients.
 */
export class RawSocketClient {
  readonly socket: Duplex;
  readonly #maxBytes: number;
  readonly #reader: FrameReader;
  #handshakeBytes: Buffer = Buffer.alloc(0);
  #handshake: Handshake | undefined;
  #first: FirstMessage | undefined;
  /** Message frames received while held, back to back: one buffer, not one object per frame. */
  #later: Buffer = Buffer.alloc(0);
  #laterLen = 0;
  #bytes = 0;
  #ended = false;
  #onHandshake: ((h: Handshake) => void) | undefined;
  #onFirst: ((m: FirstMessage) => void) | undefined;
  #onEnd: ((e: ClientEnd) => void) | undefined;
  readonly #onData = (chunk: Buffer): void => this.#read(chunk);
  readonly #onGone = (): void => this.#end({ kind: 'gone' });

  /** This connection's share of the pre-admission memory budget (docs/limits.md); released with release(). */
  readonly #charge: BudgetCharge | undefined;

  constructor(socket: Duplex, maxBytes: number, charge?: BudgetCharge) {
    this.socket = socket;
    this.#maxBytes = maxBytes;
    this.#reader = new FrameReader(maxBytes);
    this.#charge = charge;
    // Safety net: whatever path ends the connection, its charge goes back.
    if (charge) socket.once('close', () => charge.release());
  }

  get handshake(): Handshake | undefined {
    return this.#handshake;
  }

  get ended(): boolean {
    return this.#ended || this.socket.destroyed;
  }

  /** Starts reading; `first` holds the bytes the dispatcher already read (beginning with 0x7F). */
  start(first: Buffer, on: { handshake?(h: Handshake): void; first(m: FirstMessage): void; end(e: ClientEnd): void }): void {
    this.#onHandshake = on.handshake;
    this.#onFirst = on.first;
    this.#onEnd = on.end;
    (this.socket as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    this.socket.on('data', this.#onData);
    this.socket.on('end', this.#onGone);
    this.socket.on('close', this.#onGone);
    this.socket.on('error', this.#onGone);
    if (first.length > 0) this.#read(first);
    this.socket.resume();
  }

  #read(chunk: Buffer): void {
    if (this.#ended) return;
    this.#bytes += chunk.length;
    // Charged as received (the reader keeps at most these bytes), so many clients cannot outgrow the budget together.
    if (this.#charge && !this.#charge.add(chunk.length * BUFFERED_BYTE_WEIGHT)) return this.fail('pre-admission memory budget spent (limits.preAdmissionBytes)');
    if (!this.#handshake) {
      const need = 4 - this.#handshakeBytes.length;
      this.#handshakeBytes = Buffer.concat([this.#handshakeBytes, chunk.subarray(0, need)]);
      if (this.#handshakeBytes.length < 4) return;
      chunk = chunk.subarray(need);
      const r = parseClientHandshake(this.#handshakeBytes);
      if (!r.ok) {
        // The spec's error reply where there is one (a client learns why); wrong magic: not a RawSocket peer, just close.
        return this.fail(`bad RawSocket handshake: ${r.reason}`, r.error === undefined ? undefined : encodeHandshakeError(r.error));
      }
      this.#handshake = r.handshake;
      this.socket.write(encodeHandshake(RAWSOCKET_MAX_LENGTH_EXP, r.handshake.serializerId));
      this.#onHandshake?.(r.handshake);
      if (this.#ended || chunk.length === 0) return;
    }
    let frames: Frame[];
    try {
      if (this.#bytes > this.#maxBytes * 2 + 1024) throw new Error(`more than ${this.#maxBytes * 2 + 1024} bytes before admission`);
      frames = this.#reader.push(chunk);
    } catch (err) {
      return this.fail(describeError(err));
    }
    for (const f of frames) {
      if (this.#ended) return;
      this.#frame(f);
    }
  }

  #frame(f: Frame): void {
    // A frame's own objects cost more than its bytes: the same per-frame charge as the WebSocket peek.
    if (this.#charge && !this.#charge.add(FRAME_OVERHEAD_BYTES * BUFFERED_BYTE_WEIGHT)) return this.fail('pre-admission memory budget spent (limits.preAdmissionBytes)');
    if (f.type === FrameType.PING) {
      // Answered here while held; the upstream never sees pings from before the tunnel. A pong
      // larger than the client accepts is not sent (its own ping was out of bounds).
      if (f.payload.length <= this.#handshake!.maxBytes) this.socket.write(encodeFrame(FrameType.PONG, f.payload));
      return;
    }
    if (f.type === FrameType.PONG) return;
    if (this.#first) {
      this.#keep(f.raw);
      return;
    }
    this.#first = { payload: f.payload, raw: f.raw };
    this.#onFirst?.(this.#first);
  }

  /**
   * Stops reading and returns the client's bytes after its first message: message frames
   * received while held, then any partial frame — in order.
   */
  release(): Buffer {
    this.socket.off('data', this.#onData);
    this.socket.off('end', this.#onGone);
    this.socket.off('close', this.#onGone);
    this.socket.off('error', this.#onGone);
    this.socket.on('error', () => {});
    this.socket.pause();
    this.#charge?.release();
    const out = Buffer.concat([this.#later.subarray(0, this.#laterLen), this.#reader.pending()]);
    this.#later = Buffer.alloc(0);
    this.#laterLen = 0;
    return out;
  }

  #keep(raw: Buffer): void {
    const need = this.#laterLen + raw.length;
    if (need > this.#later.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#later.length * 2, 256));
      this.#later.copy(grown, 0, 0, this.#laterLen);
      this.#later = grown;
    }
    raw.copy(this.#later, this.#laterLen);
    this.#laterLen = need;
  }

  /** Sends one WAMP message frame (if the client accepts its size), then closes. */
  sendAndClose(payload: Buffer): void {
    if (this.ended) return;
    if (this.#handshake && payload.length <= this.#handshake.maxBytes) this.socket.write(encodeFrame(FrameType.MESSAGE, payload));
    this.close();
  }

  /** RawSocket has no close frame: FIN after our last bytes, cut shortly after if the client lingers. */
  close(last?: Buffer): void {
    if (this.#ended) return;
    this.#ended = true;
    this.release();
    if (this.socket.destroyed) return;
    this.socket.end(last);
    const t = setTimeout(() => this.socket.destroy(), LINGER_MS);
    t.unref();
    this.socket.once('close', () => clearTimeout(t));
  }

  /** A protocol error: close (after `last`, e.g. a handshake error reply) and report it. */
  fail(reason: string, last?: Buffer): void {
    if (this.#ended) return;
    this.close(last);
    this.#onEnd?.({ kind: 'protocol', reason });
  }

  #end(e: ClientEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.release();
    this.socket.destroy();
    this.#onEnd?.(e);
  }
}
