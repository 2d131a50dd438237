/**
 * WAMP-over-WebSocket serializers: which `wamp.2.*` subprotocols realmgate speaks and how one
 * WebSocket message payload maps to WAMP messages (shared/crossbar-facts.md §6).
 *
 *   json            text frame, one JSON array
 *   json.batched    text frame, each JSON array followed by the byte 0x18
 *   msgpack / cbor  binary frame, one encoded array
 *   *.batched       binary frame, each encoded array prefixed by its 4-byte big-endian length
 *
 * Decoding is for untrusted bytes: every failure becomes RealmgateError(FRAME_INVALID) with the
 * library's error as `cause`, sizes and nesting are capped, and nothing here is super-linear.
 */
import { Packr, Unpackr } from 'msgpackr';
import { Encoder, Decoder } from 'cbor-x';
import { ErrorCodes, RealmgateError } from '../errors.js';

export type SerializerId = 'json' | 'msgpack' | 'cbor';

export interface WampSubprotocol {
  /** The WebSocket subprotocol name, e.g. `wamp.2.msgpack.batched`. */
  readonly protocol: string;
  readonly serializer: SerializerId;
  /** Several messages per WebSocket message (terminator or length prefix framing). */
  readonly batched: boolean;
  /** Binary WebSocket frames (msgpack, cbor) rather than text (json). */
  readonly binary: boolean;
}

/** Limits for decoding untrusted payloads. */
export interface DecodeLimits {
  /** Largest payload accepted, in bytes. Default 16 MiB (Crossbar's default max message size). */
  maxBytes?: number;
  /** Deepest array/object nesting accepted. Default 64. */
  maxDepth?: number;
}

export const DEFAULT_DECODE_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_DECODE_MAX_DEPTH = 64;

/** The subprotocols realmgate can decode, in its own order of preference. */
export const SUPPORTED_SUBPROTOCOLS: readonly string[] = Object.freeze([
  'wamp.2.json',
  'wamp.2.json.batched',
  'wamp.2.msgpack',
  'wamp.2.msgpack.batched',
  'wamp.2.cbor',
  'wamp.2.cbor.batched',
]);

const BATCH_TERMINATOR = 0x18;

// Codec instances hold only configuration; each call is synchronous and self-contained.
// useRecords:false keeps the wire plain msgpack/CBOR (no msgpackr/cbor-x record extensions);
// variableMapSize picks the smallest map header, as other implementations do.
const msgpackEncoder = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });
// 64-bit integers come back as numbers (WAMP IDs stay below 2**53), as other WAMP peers read them.
const msgpackDecoder = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const cborEncoder = new Encoder({ useRecords: false, variableMapSize: true });
// int64AsNumber: a cbor-x option its type declarations do not list.
const cborDecoder = new Decoder({ useRecords: false, mapsAsObjects: true, ...{ int64AsNumber: true } });
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse a subprotocol name; undefined when it is not one realmgate supports. */
export function parseSubprotocol(name: string): WampSubprotocol | undefined {
  const protocol = name.trim();
  if (!SUPPORTED_SUBPROTOCOLS.includes(protocol)) return undefined;
  const [, , serializer, batched] = protocol.split('.');
  return Object.freeze({
    protocol,
    serializer: serializer as SerializerId,
    batched: batched === 'batched',
    binary: serializer !== 'json',
  });
}

/**
 * The client's FIRST offered protocol that realmgate supports (Crossbar's rule: the client's order
 * wins). `header` is the raw `Sec-WebSocket-Protocol` value(s): "wamp.2.json,wamp.2.msgpack", with
 * or without spaces, possibly repeated headers.
 */
export function pickSubprotocol(header: string | string[] | undefined): WampSubprotocol | undefined {
  if (header === undefined) return undefined;
  const offered = (Array.isArray(header) ? header.join(',') : header).split(',');
  for (const name of offered) {
    const sp = parseSubprotocol(name);
    if (sp) return sp;
  }
  return undefined;
}

/** One WebSocket message payload carrying `msg` in the subprotocol's framing. */
export function encodeMessage(sp: WampSubprotocol, msg: readonly unknown[]): Buffer {
  if (sp.serializer === 'json') {
    const text = Buffer.from(JSON.stringify(msg), 'utf8');
    return sp.batched ? Buffer.concat([text, Buffer.from([BATCH_TERMINATOR])]) : text;
  }
  // Copy: both libraries return a view into a scratch buffer they reuse on the next call.
  const wire = wideIntegersAsBigInt(msg);
  const body = Buffer.from(sp.serializer === 'msgpack' ? msgpackEncoder.pack(wire) : cborEncoder.encode(wire));
  if (!sp.batched) return body;
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

/**
 * msgpackr and cbor-x write a JS number beyond 32 bits as a float64, even when it is an integer.
 * WAMP IDs go up to 2**53 and autobahn-python refuses a float ID ("invalid type <class 'float'>
 * for ID"), so such integers are handed over as BigInt, which both write as 64-bit integers.
 * Returns `v` itself when nothing needed changing (no copy on the common path).
 */
function wideIntegersAsBigInt(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) && (v > 0xffffffff || v < -0x80000000) ? BigInt(v) : v;
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = wideIntegersAsBigInt(v[i]);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  if (!isPlainRecord(v)) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const c = wideIntegersAsBigInt(x);
    if (c !== x) (out ??= { ...v })[k] = c;
  }
  return out ?? v;
}

function isPlainRecord(v: object): v is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * All WAMP messages in one WebSocket message payload, each checked to be an array whose first
 * element is a message type integer. Throws only RealmgateError(FRAME_INVALID), with
 * `details.reason` and `details.closeCode` (1007 for bad UTF-8, 1009 for size, else 1002).
 */
export function decodeMessages(sp: WampSubprotocol, payload: Buffer, limits: DecodeLimits = {}): unknown[][] {
  const maxBytes = limits.maxBytes ?? DEFAULT_DECODE_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_DECODE_MAX_DEPTH;
  if (payload.length > maxBytes) throw invalid(`payload of ${payload.length} bytes exceeds ${maxBytes}`, 1009);
  if (payload.length === 0) throw invalid('empty payload');
  const parts = sp.batched ? splitBatch(sp, payload) : [payload];
  return parts.map((part) => checkMessage(decodeOne(sp, part), maxDepth));
}

function splitBatch(sp: WampSubprotocol, payload: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  if (!sp.binary) {
    if (payload[payload.length - 1] !== BATCH_TERMINATOR) throw invalid('batched JSON without 0x18 terminator');
    let start = 0;
    for (let i = 0; i < payload.length; i++) {
      if (payload[i] !== BATCH_TERMINATOR) continue;
      if (i === start) throw invalid('empty message in JSON batch');
      parts.push(payload.subarray(start, i));
      start = i + 1;
    }
    return parts;
  }
  let offset = 0;
  while (offset < payload.length) {
    if (payload.length - offset < 4) throw invalid('truncated batch length prefix');
    const len = payload.readUInt32BE(offset);
    offset += 4;
    if (len === 0 || len > payload.length - offset) throw invalid(`batch length ${len} does not fit the payload`);
    parts.push(payload.subarray(offset, offset + len));
    offset += len;
  }
  return parts;
}

function decodeOne(sp: WampSubprotocol, bytes: Buffer): unknown {
  try {
    if (sp.serializer === 'json') return JSON.parse(decodeUtf8(bytes));
    if (sp.serializer === 'msgpack') return msgpackDecoder.unpack(bytes);
    return cborDecoder.decode(bytes);
  } catch (err) {
    if (err instanceof RealmgateError) throw err;
    throw invalid(`undecodable ${sp.serializer} payload`, 1002, err);
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw invalid('JSON payload is not valid UTF-8', 1007, err);
  }
}

function checkMessage(value: unknown, maxDepth: number): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('WAMP message is not a non-empty array');
  const type: unknown = value[0];
  if (typeof type !== 'number' || !Number.isSafeInteger(type) || type < 0) {
    throw invalid('WAMP message type is not a non-negative integer');
  }
  if (depthExceeds(value, maxDepth)) throw invalid(`WAMP message nested deeper than ${maxDepth}`);
  return value;
}

/** Iterative (no recursion: hostile nesting must not exhaust the stack). */
function depthExceeds(root: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) continue;
    if (depth > maxDepth) return true;
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return false;
}

function invalid(reason: string, closeCode = 1002, cause?: unknown): RealmgateError {
  return new RealmgateError(ErrorCodes.FRAME_INVALID, `invalid WAMP payload: ${reason}`, {
    cause,
    details: { reason, closeCode },
  });
}
