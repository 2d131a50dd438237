/**
 * ABORT messages: the gate's own "not ready yet" refusal, and recognising Crossbar's.
 * ABORT is `[3, Details|dict, Reason|uri]`; autobahn puts the human text in `details.message`.
 */
import { MessageType, WampUri } from './messages.js';
import { encodeMessage, type WampSubprotocol } from './serializers.js';

/** One WebSocket message payload with `[3, details, reason]` in the client's serializer/framing. */
export function encodeAbort(sp: WampSubprotocol, reason: string, details: Record<string, unknown>): Buffer {
  return encodeMessage(sp, [MessageType.ABORT, details, reason]);
}

/** The message text of the gate's refusal (also used in the HTTP 503 body). */
export function notReadyMessage(realm: string): string {
  return `realm "${realm}" is not ready yet - proxy routes may still be initializing, please retry connection`;
}

/**
 * The gate's refusal when a held client's realm never became ready:
 * `[3, {"message": "realm \"R\" is not ready yet - …", "retry_after": N}, "wamp.error.no_such_realm"]`.
 * Same reason URI as Crossbar's own refusal, so clients written for Crossbar retry as usual.
 * @param retryAfterSeconds whole seconds the client should wait before retrying.
 */
export function notReadyAbort(sp: WampSubprotocol, realm: string, retryAfterSeconds: number): Buffer {
  return encodeAbort(sp, WampUri.NO_SUCH_REALM, { message: notReadyMessage(realm), retry_after: retryAfterSeconds });
}

/**
 * Any refusal of the gate as an ABORT: `no_such_realm` (what WAMP clients written for Crossbar
 * retry on) with the refusal's own message, and `retry_after` only when a retry can help.
 */
export function refusalAbort(sp: WampSubprotocol, message: string, retryAfterSeconds: number | undefined): Buffer {
  return encodeAbort(sp, WampUri.NO_SUCH_REALM, retryAfterSeconds === undefined ? { message } : { message, retry_after: retryAfterSeconds });
}

/** True for a decoded `[3, {...}, "wamp.error.no_such_realm"]`. */
export function isNoSuchRealmAbort(msg: unknown[]): boolean {
  return msg.length >= 3 && msg[0] === MessageType.ABORT && msg[2] === WampUri.NO_SUCH_REALM;
}
