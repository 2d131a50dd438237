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
