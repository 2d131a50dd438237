/**
 * A small RFC 6455 frame reader/writer for the HELLO peek. The gate accepts the client's WebSocket
 * itself, reads frames up to the first data message, and later forwards the client's ORIGINAL
 * (masked) frame bytes to the upstream — so every frame keeps its exact raw bytes.
 *
 *   0               1               2               3
 *   |F|R|R|R| opcode|M| len (7)   |  extended len (16 or 64, BE)  |
 *   |I|S|S|S|  (4)  |A|           |                               |
 *   |N|V|V|V|       |S|           |  masking key (4, if MASK)     |  payload ...
 */
import { hash, randomBytes } from 'node:crypto';
import { ErrorCodes, RealmgateError } from '../errors.js';

export const Opcode = { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_HEADER = 14;
const MAX_CONTROL_PAYLOAD = 125;

export interface Frame {
  fin: boolean;
  /** The three RSV bits (always 0 here: no extension is negotiated). */
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Buffer;
  /** The exact original bytes of the frame (header, mask key and masked payload). */
  raw: Buffer;
}

export interface FrameReaderOptions {
  /** Largest payload of one frame, in bytes; larger → FRAME_INVALID with closeCode 1009. */
  maxPayloadBytes: number;
  /** Refuse unmasked frames (true for client→server traffic). Default false. */
  requireMask?: boolean;
}

/**
 * Incremental frame parser. Feed it socket chunks; it returns whole frames and keeps the rest.
 * The payload limit is checked from the header, before any payload is buffered. After a
 * protocol error the reader stays failed: every later push throws the same error.
 */
export class FrameReader {
  private readonly maxPayloadBytes: number;
  private readonly requireMask: boolean;
  /** Unparsed bytes are buf[start, end): one buffer, so a trickle of tiny chunks is not a list of objects. */
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** Whether buf is our own allocation (else a caller's chunk, kept by reference until more arrives). */
  private owned = false;
  /** Size of the frame being received, once its header is known: the buffer grows to it at once. */
  private want = 0;
  private failure: RealmgateError | undefined;

  constructor(opts: FrameReaderOptions) {
    this.maxPayloadBytes = opts.maxPayloadBytes;
    this.requireMask = opts.requireMask ?? false;
  }

  /** Feed bytes; returns the complete frames now available (possibly none). */
  push(chunk: Buffer): Frame[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) this.append(chunk);
    const frames: Frame[] = [];
    for (;;) {
      const buffered = this.end - this.start;
      const header = this.buf.subarray(this.start, this.start + Math.min(buffered, MAX_HEADER));
      const parsed = this.parseHeader(header);
      if (!parsed) break;
      if (buffered < parsed.headerLength + parsed.payloadLength) {
        this.want = parsed.headerLength + parsed.payloadLength;
        break;
      }
      const size = parsed.headerLength + parsed.payloadLength;
      const raw = Buffer.from(this.buf.subarray(this.start, this.start + size));
      this.start += size;
      this.want = 0;
      const payload = Buffer.from(raw.subarray(parsed.headerLength));
      if (parsed.maskKey) unmask(payload, parsed.maskKey);
      frames.push({ fin: parsed.fin, rsv: parsed.rsv, opcode: parsed.opcode, masked: parsed.maskKey !== undefined, payload, raw });
    }
    if (this.start === this.end) this.clear();
    return frames;
  }

  /** Drops every buffered byte (the session ended). */
  clear(): void {
    this.buf = Buffer.alloc(0);
    this.start = 0;
    this.end = 0;
    this.owned = false;
    this.want = 0;
  }

  /** Bytes received but not yet part of a complete frame, without consuming them (a view). */
  pending(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** Bytes held, allocation included (what the reader really costs). */
  get retainedBytes(): number {
    return this.buf.length;
  }

  private append(chunk: Buffer): void {
    const have = this.end - this.start;
    if (have === 0) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.end + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    // Grow to the frame being received when its size is known (no slack for a large frame), else
    // by doubling with at most 16 KiB of slack: appends stay amortised O(1) however small the chunks.
    const need = have + chunk.length;
    const next = Buffer.allocUnsafe(Math.max(256, need, this.want, Math.min(need * 2, need + 16 * 1024)));
    this.buf.copy(next, 0, this.start, this.end);
    chunk.copy(next, have);
    this.buf = next;
    this.start = 0;
    this.end = need;
    this.owned = true;
  }

  private parseHeader(h: Buffer): { fin: boolean; rsv: number; opcode: number; headerLength: number; payloadLength: number; maskKey?: Buffer } | undefined {
    if (h.length < 2) return undefined;
    const b0 = h[0]!;
    const b1 = h[1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv = (b0 >> 4) & 0x07;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    if (rsv !== 0) this.fail('reserved bits set without a negotiated extension', 1002);
    const isControl = opcode >= 0x8;
    if (!(opcode <= Opcode.BINARY || (isControl && opcode <= Opcode.PONG))) this.fail(`unknown opcode ${opcode}`, 1002);
    if (this.requireMask && !masked) this.fail('unmasked client frame', 1002);
    let payloadLength = b1 & 0x7f;
    let headerLength = 2;
    if (isControl && (!fin || payloadLength > MAX_CONTROL_PAYLOAD)) this.fail('fragmented or oversized control frame', 1002);
    if (payloadLength === 126) {
      if (h.length < 4) return undefined;
      payloadLength = h.readUInt16BE(2);
      headerLength = 4;
    } else if (payloadLength === 127) {
      if (h.length < 10) return undefined;
      const high = h.readUInt32BE(2);
      if (high & 0x80000000) this.fail('64-bit payload length with the most significant bit set', 1002);
      // Anything at or above 2^21 * 2^32 would lose precision; it is over any sane limit anyway.
      payloadLength = high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 0x100000000 + h.readUInt32BE(6);
      headerLength = 10;
    }
    if (payloadLength > this.maxPayloadBytes) this.fail(`frame payload of ${payloadLength} bytes exceeds ${this.maxPayloadBytes}`, 1009);
    if (!masked) return { fin, rsv, opcode, headerLength, payloadLength };
    if (h.length < headerLength + 4) return undefined;
    const maskKey = Buffer.from(h.subarray(headerLength, headerLength + 4));
    return { fin, rsv, opcode, headerLength: headerLength + 4, payloadLength, maskKey };
  }

  private fail(reason: string, closeCode: 1002 | 1009): never {
    this.failure = new RealmgateError(ErrorCodes.FRAME_INVALID, `invalid WebSocket frame: ${reason}`, {
      details: { reason, closeCode },
    });
    throw this.failure;
  }
}

function unmask(payload: Buffer, key: Buffer): void {
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i & 3]!;
}

/**
 * One frame. Client→server frames must be masked (`mask: true`, random key); server→client
 * frames must not be. Defaults: `fin` true, `mask` false.
 */
export function encodeFrame(opcode: number, payload: Buffer, opts: { mask?: boolean; fin?: boolean } = {}): Buffer {
  const fin = opts.fin ?? true;
  const mask = opts.mask ?? false;
  const len = payload.length;
  const extended = len < 126 ? 0 : len <= 0xffff ? 2 : 8;
  const header = Buffer.alloc(2 + extended + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  header[1] = (mask ? 0x80 : 0) | (extended === 0 ? len : extended === 2 ? 126 : 127);
  if (extended === 2) header.writeUInt16BE(len, 2);
  if (extended === 8) {
    header.writeUInt32BE(Math.floor(len / 0x100000000), 2);
    header.writeUInt32BE(len >>> 0, 6);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + extended);
  const body = Buffer.from(payload);
  unmask(body, key);
  return Buffer.concat([header, body]);
}

/** A CLOSE frame with status `code` and an optional UTF-8 reason (cut to fit 125 bytes). */
export function encodeClose(code: number, reason = '', opts: { mask?: boolean } = {}): Buffer {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > MAX_CONTROL_PAYLOAD - 2) text = Buffer.from(text.subarray(0, MAX_CONTROL_PAYLOAD - 2).toString('utf8').replace(/\uFFFD+$/u, ''), 'utf8');
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return encodeFrame(Opcode.CLOSE, payload, { mask: opts.mask ?? false });
}

/** The `Sec-WebSocket-Accept` value for a client's `Sec-WebSocket-Key`. */
export function websocketAccept(secWebSocketKey: string): string {
  // The one-shot crypto.hash (Node ≥ 20.12): a third of createHash's cost, no Hash object per handshake.
  return hash('sha1', secWebSocketKey + WS_GUID, 'base64');
}
