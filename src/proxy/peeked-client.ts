import type { Duplex } from 'node:stream';
import { isRealmgateError, describeError } from '../errors.js';
import { GrowingBuffer } from '../wamp/growing-buffer.js';
import { BUFFERED_BYTE_WEIGHT, type BudgetCharge } from './budget.js';
import type { WampSubprotocol } from '../wamp/serializers.js';
import { encodeClose, encodeFrame, FrameReader, type Frame, Opcode, websocketAccept } from '../wamp/ws-frames.js';
import type { UpgradeRequest } from './upgrade-request.js';

/** How long the gate waits for the client's answer to its CLOSE before cutting the socket. */
const CLOSE_HANDSHAKE_MS = 2000;

/**
 * What one frame costs beyond its bytes before admission: the parsed Frame and its two buffers
 * while it is handled, a pong written back for a ping. Charged to the per-connection cap and
 * the global budget, so a flood of tiny frames costs what it really costs.
 */
export const FRAME_OVERHEAD_BYTES = 64;

/** What the client's first data message was, with its exact original frame bytes. */
export interface FirstMessage {
  payload: Buffer;
  /** The raw (masked) frame(s) that carried it, to forward to the upstream unchanged. */
  raw: Buffer;
}

export type PeekEnd =
  | { kind: 'gone' }
  /** The pre-admission memory budget is spent: the client was closed with 1013 (try again later). */
  | { kind: 'overload' }
  | { kind: 'protocol'; code: number; reason: string };

/**
 * The client side of the HELLO peek: the gate answers the WebSocket handshake
 * itself, reads frames until the first data message, and keeps reading while
 * the client is held — answering pings (autobahn-js drops a connection whose
 * pings go unanswered) and keeping every later frame's bytes for the upstream.
 * Nothing is re-framed: the upstream later receives the client's own bytes.
 */
export class PeekedClient {
  readonly socket: Duplex;
  readonly sp: WampSubprotocol;
  readonly #reader: FrameReader;
  readonly #maxBytes: number;
  readonly #charge: BudgetCharge | undefined;
  #bytes = 0;
  /** The first message's fragments so far: payloads and raw frames each in one growing buffer. */
  readonly #fragPayload = new GrowingBuffer();
  readonly #fragRaw = new GrowingBuffer();
  #fragmenting = false;
  #first: FirstMessage | undefined;
  /** Raw frames received after the first message (while held), in order. */
  readonly #later = new GrowingBuffer();
  #ended = false;
  #onFirst: ((m: FirstMessage) => void) | undefined;
  #onEnd: ((e: PeekEnd) => void) | undefined;
  readonly #onData = (chunk: Buffer): void => this.#read(chunk);
  readonly #onGone = (): void => this.#end({ kind: 'gone' });

  constructor(socket: Duplex, sp: WampSubprotocol, maxBytes: number, charge?: BudgetCharge) {
    this.socket = socket;
    this.#charge = charge;
    this.sp = sp;
    this.#maxBytes = maxBytes;
    this.#reader = new FrameReader({ maxPayloadBytes: maxBytes, requireMask: true });
  }

  /** Completes the handshake (chosen subprotocol, no extensions) and starts reading. */
  accept(req: UpgradeRequest, head: Buffer, onFirst: (m: FirstMessage) => void, onEnd: (e: PeekEnd) => void): void {
    this.#onFirst = onFirst;
    this.#onEnd = onEnd;
    const key = String(req.headers['sec-websocket-key']).trim();
    this.socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: ${this.sp.protocol}\r\n\r\n`,
    );
    (this.socket as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    this.socket.on('data', this.#onData);
    this.socket.on('end', this.#onGone);
    this.socket.on('close', this.#onGone);
    this.socket.on('error', this.#onGone);
    if (head.length > 0) this.#read(head);
  }

  /** Later events go to `onEnd` (the caller's state changed: held, connecting, …). */
  setOnEnd(onEnd: (e: PeekEnd) => void): void {
    this.#onEnd = onEnd;
  }

  get ended(): boolean {
    return this.#ended || this.socket.destroyed;
  }

  #read(chunk: Buffer): void {
    if (this.#ended) return;
    let frames: Frame[];
    try {
      frames = this.#reader.push(chunk);
    } catch (err) {
      const code = isRealmgateError(err) ? Number(err.details?.closeCode ?? 1002) : 1009;
      return this.fail(code, describeError(err));
    }
    // Cumulative cost before admission: wire bytes plus a per-frame overhead, bounded per
    // connection (twice hello.maxBytes) and charged to the global budget.
    const cost = chunk.length + frames.length * FRAME_OVERHEAD_BYTES;
    this.#bytes += cost;
    if (this.#bytes > this.#maxBytes * 2 + 1024) return this.fail(1009, 'too much data before admission');
    if (this.#charge && !this.#charge.add(cost * BUFFERED_BYTE_WEIGHT)) return this.#overload();
    for (const f of frames) {
      if (this.#ended) return;
      this.#frame(f);
    }
  }

  #frame(f: Frame): void {
    switch (f.opcode) {
      case Opcode.PING:
        // Answered here while held; the upstream never sees pings from before the tunnel.
        this.socket.write(encodeFrame(Opcode.PONG, f.payload));
        return;
      case Opcode.PONG:
        return;
      case Opcode.CLOSE:
        this.socket.write(encodeClose(1000));
        this.socket.end();
        return this.#end({ kind: 'gone' });
    }
    if (this.#first) {
      this.#later.append(f.raw);
      return;
    }
    const continuing = this.#fragmenting;
    if (f.opcode === Opcode.CONTINUATION ? !continuing : continuing) {
      return this.fail(1002, 'unexpected continuation frame');
    }
    if (!continuing && f.fin) {
      // The common case: the whole HELLO in one frame, no copy.
      if (f.payload.length > this.#maxBytes) return this.fail(1009, `first message larger than ${this.#maxBytes} bytes`);
      this.#first = { payload: f.payload, raw: f.raw };
      return this.#onFirst?.(this.#first);
    }
    this.#fragmenting = true;
    this.#fragPayload.append(f.payload);
    this.#fragRaw.append(f.raw);
    if (this.#fragPayload.length > this.#maxBytes) return this.fail(1009, `first message larger than ${this.#maxBytes} bytes`);
    if (!f.fin) return;
    this.#first = { payload: this.#fragPayload.copy(), raw: this.#fragRaw.copy() };
    this.#fragmenting = false;
    this.#fragPayload.clear();
    this.#fragRaw.clear();
    this.#onFirst?.(this.#first);
  }

  /**
   * Stops reading and returns the client's bytes after its first message:
   * frames received while held, then any partial frame — in order.
   */
  release(): Buffer {
    this.socket.off('data', this.#onData);
    this.socket.off('end', this.#onGone);
    this.socket.off('close', this.#onGone);
    this.socket.off('error', this.#onGone);
    this.socket.on('error', () => {});
    this.socket.pause();
    const out = Buffer.concat([this.#later.view(), this.#reader.pending()]);
    this.#later.clear();
    this.#reader.clear();
    return out;
  }

  /** Sends one WAMP message payload (text for JSON, binary otherwise), then a close. */
  sendAndClose(payload: Buffer, code = 1000, reason = ''): void {
    if (this.ended) return;
    this.socket.write(encodeFrame(this.sp.binary ? Opcode.BINARY : Opcode.TEXT, payload));
    this.close(code, reason);
  }

  /**
   * Close handshake from our side, bounded: the client's answer is read and dropped (so its FIN
   * arrives), and the socket is cut after CLOSE_HANDSHAKE_MS whatever the client does.
   */
  close(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.release();
    this.#drop();
    const socket = this.socket;
    if (!socket.destroyed) {
      socket.end(encodeClose(code, reason.slice(0, 120)));
      const t = setTimeout(() => socket.destroy(), CLOSE_HANDSHAKE_MS);
      t.unref();
      socket.once('close', () => clearTimeout(t));
      socket.once('end', () => socket.destroy());
      socket.resume();
    }
  }

  /** Drops every buffered byte: nothing read before admission outlives the session. */
  #drop(): void {
    this.#later.clear();
    this.#fragPayload.clear();
    this.#fragRaw.clear();
    this.#fragmenting = false;
    this.#first = undefined;
    this.#reader.clear();
  }

  /** The global budget is spent: close 1013 (RFC 6455 "Try Again Later"). */
  #overload(): void {
    if (this.#ended) return;
    this.close(1013, 'realmgate is at its limit for clients waiting for admission - please retry later');
    this.#onEnd?.({ kind: 'overload' });
  }

  fail(code: number, reason: string): void {
    if (this.#ended) return;
    this.close(code, reason);
    this.#onEnd?.({ kind: 'protocol', code, reason });
  }

  #end(e: PeekEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.release();
    this.#drop();
    this.socket.destroy();
    this.#onEnd?.(e);
  }
}
