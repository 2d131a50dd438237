/**
 * Reading the client's HELLO (and the upstream's first reply) from one WebSocket message payload.
 * HELLO is `[1, Realm|uri, Details|dict]`; the gate needs the realm to route the client.
 */
import { ErrorCodes, RealmgateError } from '../errors.js';
import { MessageType } from './messages.js';
import { decodeMessages, type DecodeLimits, type WampSubprotocol } from './serializers.js';

export interface Hello {
  realm: string;
  details: Record<string, unknown>;
}

/** Longest realm name accepted, in characters. */
export const MAX_REALM_LENGTH = 255;

// Crossbar/autobahn's loose URI rule (`_URI_PAT_LOOSE_NON_EMPTY`): dot-separated non-empty
// components without whitespace, '.' or '#'. The classes exclude '.', so no backtracking blow-up.
const LOOSE_URI = /^(?:[^\s.#]+\.)*[^\s.#]+$/u;

/** True when `value` is a realm name Crossbar would accept in HELLO. */
export function isValidRealm(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_REALM_LENGTH && LOOSE_URI.test(value);
}

/** A plain `{}` object (not an array, Map, Buffer or class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The first WAMP message of the payload (for a batched payload, the first of the batch).
 * Throws RealmgateError(FRAME_INVALID) when the payload cannot be decoded.
 */
export function decodeFirstMessage(sp: WampSubprotocol, payload: Buffer, limits?: DecodeLimits): unknown[] {
  const messages = decodeMessages(sp, payload, limits);
  // decodeMessages never returns an empty list, but the type system cannot know that.
  const first = messages[0];
  if (!first) throw new RealmgateError(ErrorCodes.FRAME_INVALID, 'invalid WAMP payload: no message');
  return first;
}

/**
 * The type of the payload's first WAMP message, read from its first bytes alone; undefined when
 * they are not the plain encoding read here (a JSON `[` and digits, a msgpack/CBOR array header and
 * a small unsigned integer), so the caller decodes the payload instead. Never throws.
 */
export function peekMessageType(sp: WampSubprotocol, payload: Buffer): number | undefined {
  // A binary batch starts with its first message's 4-byte length; a JSON batch with the message.
  let i = sp.batched && sp.binary ? 4 : 0;
  const b = payload[i];
  if (b === undefined) return undefined;
  if (sp.serializer === 'json') {
    while (isJsonSpace(payload[i])) i++;
    if (payload[i++] !== 0x5b) return undefined; // [
    while (isJsonSpace(payload[i])) i++;
    let type = 0;
    const start = i;
    for (let d = payload[i]; d !== undefined && d >= 0x30 && d <= 0x39 && i - start < 3; d = payload[++i]) type = type * 10 + d - 0x30;
    const next = payload[i];
    // Digits ended by ',', ']' or whitespace: an integer (no exponent or fraction), no leading zero.
    if (i === start || (payload[start] === 0x30 && i - start > 1)) return undefined;
    return next === 0x2c || next === 0x5d || isJsonSpace(next) ? type : undefined;
  }
  if (sp.serializer === 'msgpack') {
    if (b > 0x90 && b <= 0x9f) i += 1; // fixarray, 1-15 elements
    else if (b === 0xdc) i += 3; // array 16
    else if (b === 0xdd) i += 5; // array 32
    else return undefined;
    const t = payload[i];
    return t !== undefined && t <= 0x7f ? t : undefined; // positive fixint
  }
  if (b > 0x80 && b <= 0x97) i += 1; // CBOR array, 1-23 elements
  else if (b === 0x98) i += 2;
  else if (b === 0x99) i += 3;
  else if (b === 0x9a) i += 5;
  else if (b === 0x9f) i += 1; // indefinite length
  else return undefined;
  const t = payload[i];
  if (t === undefined) return undefined;
  if (t <= 0x17) return t; // unsigned int in the initial byte
  return t === 0x18 ? payload[i + 1] : undefined; // one-byte unsigned int
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isJsonSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The upstream's first message as far as the gate must read it: decoded when it may be an ABORT
 * (the no_such_realm re-admission) or when `welcomeToo` (after a re-admission, the WELCOME's
 * authextra names the worker that took the client). A WELCOME otherwise is recognised from its
 * first bytes and not decoded — the session's most common case; its bytes go to the client
 * unchanged either way. undefined when the payload is a WELCOME left undecoded or cannot be
 * decoded (not the gate's to judge).
 */
export function upstreamFirstMessage(sp: WampSubprotocol, payload: Buffer, welcomeToo: boolean): unknown[] | undefined {
  if (!welcomeToo && peekMessageType(sp, payload) === MessageType.WELCOME) return undefined;
  try {
    return decodeFirstMessage(sp, payload);
  } catch {
    return undefined;
  }
}

/**
 * Decode and validate the HELLO at the start of `payload`. Throws RealmgateError(FRAME_INVALID) when
 * the bytes are not a WAMP message, HELLO_INVALID (with `details.reason`) when the message is not a
 * HELLO the gate can route — including a null realm, which Crossbar allows for dynamic realm
 * assignment but which names nothing to wait for.
 */
export function decodeHello(sp: WampSubprotocol, payload: Buffer, limits?: DecodeLimits): Hello {
  const msg = decodeFirstMessage(sp, payload, limits);
  if (msg[0] !== MessageType.HELLO) throw helloInvalid(`first message has type ${String(msg[0])}, not HELLO (1)`);
  if (msg.length !== 3) throw helloInvalid(`HELLO has ${msg.length} elements, not 3`);
  const [, realm, details] = msg;
  if (realm === null) throw helloInvalid('HELLO without a realm (null)');
  if (!isValidRealm(realm)) throw helloInvalid('HELLO realm is not a valid WAMP URI');
  if (!isPlainObject(details)) throw helloInvalid('HELLO details is not a dictionary');
  return { realm, details };
}

function helloInvalid(reason: string): RealmgateError {
  return new RealmgateError(ErrorCodes.HELLO_INVALID, `invalid HELLO: ${reason}`, { details: { reason } });
}
