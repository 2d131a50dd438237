/**
 * RawSocket clients for tests: autobahn-js's Node RawSocket transport (JSON only, as its
 * Protocol implements), and a small hand-driven client that speaks the framing byte by byte.
 */
import net from 'node:net';
import type { Session } from 'autobahn';
import { joinOnce } from '../../src/demo/wamp-client.js';
import { encodeFrame, FrameReader, FrameType, type Frame } from '../../src/rawsocket/framing.js';
import { decodeFirstMessage } from '../../src/wamp/hello.js';
import { encodeMessage, parseSubprotocol, type WampSubprotocol } from '../../src/wamp/serializers.js';

export type RawJoin =
  | { kind: 'joined'; session: Session; details: Record<string, unknown>; close(): void }
  | { kind: 'refused'; reason: string | null; message: string | null };

/** autobahn-js over RawSocket to host:port (the demo's client), one attempt, no retry. Never rejects. */
export async function autobahnRawSocketJoin(port: number, realm: string, host = '127.0.0.1'): Promise<RawJoin> {
  const r = await joinOnce(`tcp://${host}:${port}`, realm, 'json');
  return r.kind === 'joined' ? { kind: 'joined', session: r.session, details: r.details, close: r.close } : { kind: 'refused', reason: r.reason, message: r.message };
}

/** A hand-driven RawSocket client: raw writes, and awaitable handshake reply / frames / close. */
export class RawClient {
  readonly socket: net.Socket;
  readonly #reader = new FrameReader(2 ** 24);
  #handshake: Buffer | undefined;
  #got = Buffer.alloc(0);
  #frames: Frame[] = [];
  #waiters: (() => void)[] = [];
  closed = false;
  readonly closedP: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('error', () => {});
    this.closedP = new Promise((resolve) => socket.once('close', () => { this.closed = true; this.#wake(); resolve(); }));
    socket.on('data', (chunk: Buffer) => {
      if (!this.#handshake) {
        this.#got = Buffer.concat([this.#got, chunk]);
        if (this.#got.length < 4) return;
        this.#handshake = this.#got.subarray(0, 4);
        chunk = this.#got.subarray(4);
      }
      try {
        this.#frames.push(...this.#reader.push(chunk));
      } catch {
        socket.destroy();
      }
      this.#wake();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  async #until<T>(get: () => T | undefined, what: string): Promise<T> {
    for (;;) {
      const v = get();
      if (v !== undefined) return v;
      if (this.closed) throw new Error(`closed before ${what}`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  write(b: Buffer | number[]): void {
    this.socket.write(Buffer.isBuffer(b) ? b : Buffer.from(b));
  }

  /** The server's 4 handshake octets, or undefined when it closed without any. */
  async handshakeReply(): Promise<Buffer | undefined> {
    try {
      return await this.#until(() => this.#handshake, 'a handshake reply');
    } catch {
      return this.#handshake ?? (this.#got.length > 0 ? this.#got : undefined);
    }
  }

  nextFrame(): Promise<Frame> {
    return this.#until(() => this.#frames.shift(), 'a frame');
  }

  /** Opens with serializer `id` (1 json, 2 msgpack, 3 cbor) and sends HELLO for `realm`. */
  hello(sp: WampSubprotocol, realm: string): void {
    this.write(encodeFrame(FrameType.MESSAGE, encodeMessage(sp, [1, realm, { roles: { caller: {}, subscriber: {} } }])));
  }

  async nextMessage(sp: WampSubprotocol): Promise<unknown[]> {
    for (;;) {
      const f = await this.nextFrame();
      if (f.type === FrameType.MESSAGE) return decodeFirstMessage(sp, f.payload);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export const SERIALIZER_IDS = { json: 1, msgpack: 2, cbor: 3 } as const;

export function spFor(serializer: keyof typeof SERIALIZER_IDS): WampSubprotocol {
  return parseSubprotocol(`wamp.2.${serializer}`)!;
}

/** The client opening: 0x7F, L|S, 0, 0. */
export function clientHandshake(serializer: keyof typeof SERIALIZER_IDS, lengthExp = 15): Buffer {
  return Buffer.from([0x7f, (lengthExp << 4) | SERIALIZER_IDS[serializer], 0, 0]);
}
