/**
 * WAMP-over-RawSocket on the wire (shared/crossbar-facts.md §6; WAMP spec "RawSocket Transport").
 *
 * Opening handshake, 4 octets each way:
 *
 *   0x7F | LLLL SSSS | 0x00 | 0x00        L: "send me at most 2**(9+L) bytes", S: serializer
 *   0x7F | EEEE 0000 | 0x00 | 0x00        error reply (S = 0), E: RawSocketError
 *
 * Then frames, each a 4-octet header and a payload:
 *
 *   | RRRR RTTT | length (24 bits, big-endian) | payload ...
 *     R reserved (0), T: 0 WAMP message, 1 PING, 2 PONG (PONG echoes the PING's payload)
 *
 * autobahn-python reads the header as a 32-bit length (Twisted Int32StringReceiver), which is
 * the same bytes for a message frame.
 */
import { ErrorCodes, RealmgateError } from '../errors.js';
import { parseSubprotocol, type SerializerId, type WampSubprotocol } from '../wamp/serializers.js';

export const RAWSOCKET_MAGIC = 0x7f;

/** Error codes of the handshake error reply (upper nibble of octet 2). */
export const RawSocketError = {
  ILLEGAL: 0,
  SERIALIZER_UNSUPPORTED: 1,
  LENGTH_UNACCEPTABLE: 2,
  RESERVED_BITS: 3,
  MAX_CONNECTIONS: 4,
} as const;

export const FrameType = { MESSAGE: 0, PING: 1, PONG: 2 } as const;

/** autobahn `RAWSOCKET_SERIALIZER_ID`: 1 json, 2 msgpack, 3 cbor (4 ubjson, 5 flatbuffers not spoken here). */
const SERIALIZERS: Readonly<Record<number, SerializerId>> = Object.freeze({ 1: 'json', 2: 'msgpack', 3: 'cbor' });

/** Crossbar's default max_message_size (2**24): what a Crossbar router answers with L = 15. */
export const RAWSOCKET_MAX_LENGTH_EXP = 15;

export interface Handshake {
  /** The 4 octets as received, replayed to the upstream unchanged. */
  raw: Buffer;
  /** L: the peer accepts messages of at most 2**(9+L) bytes. */
  lengthExp: number;
  /** 2**(9+L). */
  maxBytes: number;
  serializerId: number;
  /** The (non-batched) serializer, in the shape src/wamp/* decodes and encodes with. */
  sp: WampSubprotocol;
}

export type HandshakeResult =
  | { ok: true; handshake: Handshake }
  /** `error` undefined: no reply (wrong magic — not a RawSocket peer at all), just close. */
  | { ok: false; error: number | undefined; reason: string };

/** Validates a client's opening handshake (exactly 4 octets). */
export function parseClientHandshake(b: Buffer): HandshakeResult {
  if (b.length !== 4) return { ok: false, error: undefined, reason: `handshake of ${b.length} octets, not 4` };
  if (b[0] !== RAWSOCKET_MAGIC) return { ok: false, error: undefined, reason: `first octet 0x${hex(b[0]!)}, not 0x7f` };
  if (b[2] !== 0 || b[3] !== 0) return { ok: false, error: RawSocketError.RESERVED_BITS, reason: 'reserved octets are not zero' };
  const serializerId = b[1]! & 0x0f;
  const serializer = SERIALIZERS[serializerId];
  if (!serializer) return { ok: false, error: RawSocketError.SERIALIZER_UNSUPPORTED, reason: `serializer ${serializerId} not supported (1 json, 2 msgpack, 3 cbor)` };
  const lengthExp = b[1]! >> 4;
  return { ok: true, handshake: { raw: Buffer.from(b), lengthExp, maxBytes: 2 ** (9 + lengthExp), serializerId, sp: parseSubprotocol(`wamp.2.${serializer}`)! } };
}

/**
 * Checks a server's handshake reply to `sent` (our replay of the client's). Returns the server's
 * length exponent, or a reason: an error reply, another serializer, or not RawSocket at all.
 */
export function checkServerHandshake(reply: Buffer, sent: Handshake): { ok: true; lengthExp: number } | { ok: false; reason: string } {
  if (reply.length !== 4 || reply[0] !== RAWSOCKET_MAGIC) return { ok: false, reason: 'upstream did not answer the RawSocket handshake (is upstream.rawsocketUrl a RawSocket or universal transport?)' };
  const serializerId = reply[1]! & 0x0f;
  if (serializerId === 0) return { ok: false, reason: `upstream refused the RawSocket handshake: ${errorText(reply[1]! >> 4)}` };
  if (serializerId !== sent.serializerId) return { ok: false, reason: `upstream chose serializer ${serializerId} instead of ${sent.serializerId}` };
  if (reply[2] !== 0 || reply[3] !== 0) return { ok: false, reason: 'upstream handshake reply has reserved octets set' };
  return { ok: true, lengthExp: reply[1]! >> 4 };
}

export function encodeHandshake(lengthExp: number, serializerId: number): Buffer {
  return Buffer.from([RAWSOCKET_MAGIC, ((lengthExp & 0x0f) << 4) | (serializerId & 0x0f), 0, 0]);
}

export function encodeHandshakeError(code: number): Buffer {
  return Buffer.from([RAWSOCKET_MAGIC, (code & 0x0f) << 4, 0, 0]);
}

export function errorText(code: number): string {
  return ['illegal error code', 'serializer unsupported', 'maximum message length unacceptable',
    'use of reserved bits', 'maximum connection count reached'][code] ?? `error ${code}`;
}

/** One frame: header and payload. */
export function encodeFrame(type: number, payload: Buffer): Buffer {
  if (payload.length > 0xffffff) throw new RangeError(`RawSocket payload of ${payload.length} bytes exceeds 2**24 - 1`);
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out[0] = type & 0x07;
  payload.copy(out, 4);
  return out;
}

export interface Frame {
  type: number;
  payload: Buffer;
  /** The frame's exact bytes (header + payload), forwarded unchanged. */
  raw: Buffer;
}

function frameInvalid(reason: string): RealmgateError {
  return new RealmgateError(ErrorCodes.FRAME_INVALID, `invalid RawSocket frame: ${reason}`, { details: { reason } });
}

/**
 * Incremental frame parser for untrusted bytes. The length limit is checked as soon as the
 * 4-octet header is there, before any of the payload is kept: a header announcing 16 MiB is
 * refused on arrival. Bytes are copied into one buffer that grows with what was received
 * (never with what a header announces), so a slow sender costs no more than it sent and one
 * byte per packet creates no object per byte. After an error every push throws it again.
 */
export class FrameReader {
  readonly #maxPayload: number;
  #buf: Buffer = Buffer.alloc(0);
  #len = 0;
  #failure: RealmgateError | undefined;

  /** @param maxPayloadBytes largest payload of one frame (ping and pong included), in bytes. */
  constructor(maxPayloadBytes: number) {
    this.#maxPayload = maxPayloadBytes;
  }

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.#len;
  }

  push(chunk: Buffer): Frame[] {
    if (this.#failure) throw this.#failure;
    this.#append(chunk);
    const frames: Frame[] = [];
    let off = 0;
    while (this.#len - off >= 4) {
      const head = this.#buf[off]!;
      if (head & 0xf8) return this.#fail(`reserved bits set in frame header (0x${hex(head)})`);
      const type = head & 0x07;
      if (type > FrameType.PONG) return this.#fail(`frame type ${type} is reserved`);
      const length = this.#buf.readUIntBE(off + 1, 3);
      if (length > this.#maxPayload) return this.#fail(`frame of ${length} bytes exceeds ${this.#maxPayload}`);
      if (this.#len - off < 4 + length) break;
      // Copies: the buffer is reused for later bytes.
      const raw = Buffer.from(this.#buf.subarray(off, off + 4 + length));
      frames.push({ type, payload: raw.subarray(4), raw });
      off += 4 + length;
    }
    if (off > 0) {
      this.#buf.copyWithin(0, off, this.#len);
      this.#len -= off;
    }
    return frames;
  }

  /** The bytes of an incomplete frame (forwarded after the complete ones on admission). */
  pending(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#len));
  }

  #append(chunk: Buffer): void {
    const need = this.#len + chunk.length;
    if (need > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(this.#buf.length * 2, this.#maxPayload + 4), 64));
      this.#buf.copy(grown, 0, 0, this.#len);
      this.#buf = grown;
    }
    chunk.copy(this.#buf, this.#len);
    this.#len = need;
  }

  #fail(reason: string): never {
    this.#failure = frameInvalid(reason);
    this.#buf = Buffer.alloc(0);
    this.#len = 0;
    throw this.#failure;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
