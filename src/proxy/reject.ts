import type { Duplex } from 'node:stream';
import { notReadyMessage } from '../wamp/abort.js';
import type { RejectReason } from './admission.js';

/**
 * Every way the gate refuses a client. Admission's reasons, plus the gate's own:
 * `overload` (pre-admission memory budget or listen.maxConnections spent), `realm_not_served`
 * (unknownRealm: reject — retrying here cannot help), `upstream_unavailable` (the router could
 * not be reached until the client's deadline).
 */
export type RefusalReason = RejectReason | 'overload' | 'realm_not_served' | 'upstream_unavailable';

interface RefusalText {
  status: number;
  statusText: string;
  /** Whether the client should retry (Retry-After / retry_after are sent only then). */
  retry: boolean;
  message(realm: string | undefined): string;
}

const quoted = (realm: string | undefined): string => (realm === undefined ? 'this client' : `realm "${realm}"`);

/** One truthful text per reason, shared by the 503 body and the WAMP ABORT details. */
export const REFUSALS: Record<RefusalReason, RefusalText> = {
  realm_not_ready: { status: 503, statusText: 'Service Unavailable', retry: true, message: (r) => (r === undefined ? 'the realm is not ready yet - please retry connection' : notReadyMessage(r)) },
  queue_timeout: { status: 503, statusText: 'Service Unavailable', retry: true, message: (r) => (r === undefined ? 'the realm is not ready yet - please retry connection' : notReadyMessage(r)) },
  queue_full: { status: 503, statusText: 'Service Unavailable', retry: true, message: (r) => `too many clients are already waiting for ${quoted(r)} - please retry connection later` },
  draining: { status: 503, statusText: 'Service Unavailable', retry: true, message: () => 'realmgate is draining (shutting down) - please retry connection' },
  overload: { status: 503, statusText: 'Service Unavailable', retry: true, message: () => 'realmgate is at its limit for clients waiting for admission - please retry connection later' },
  upstream_unavailable: { status: 503, statusText: 'Service Unavailable', retry: true, message: (r) => `the router for ${quoted(r)} could not be reached - please retry connection` },
  realm_not_served: { status: 404, statusText: 'Not Found', retry: false, message: (r) => (r === undefined ? 'no realm named in the request, and this gate serves only the realms it lists' : `realm "${r}" is not served here`) },
};

/** The JSON body of a refused upgrade: `{"error","realm","message","retryAfterSeconds"?}`. */
export function refusalBody(reason: RefusalReason, realm: string | undefined, retryAfterSeconds: number): string {
  const r = REFUSALS[reason];
  return JSON.stringify(r.retry
    ? { error: reason, realm: realm ?? null, message: r.message(realm), retryAfterSeconds }
    : { error: reason, realm: realm ?? null, message: r.message(realm) });
}

/**
 * The contract's refusal of a WebSocket upgrade: a complete raw HTTP response written on the
 * socket (no 101 was sent), then the socket ends. 503 + Retry-After for reasons worth a retry,
 * 404 without Retry-After for a realm not served here.
 */
export function writeRefusal(socket: Duplex, reason: RefusalReason, realm: string | undefined, retryAfterSeconds: number): void {
  const r = REFUSALS[reason];
  const headers: Record<string, string> = { 'X-Realmgate-Reason': reason };
  if (r.retry) headers['Retry-After'] = String(retryAfterSeconds);
  writeRaw(socket, r.status, r.statusText, refusalBody(reason, realm, retryAfterSeconds), headers);
}

/** A raw HTTP/1.1 response with a JSON (or given) body, then end(). Safe on a dead socket. */
export function writeRaw(
  socket: Duplex,
  status: number,
  statusText: string,
  body: string,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const lines = [
    `HTTP/1.1 ${status} ${statusText}`,
    `Content-Type: ${contentType}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  // A peer that never reads must not pin the socket: cut it shortly after.
  const t = setTimeout(() => socket.destroy(), 5000);
  t.unref();
  socket.once('close', () => clearTimeout(t));
}

export function badRequest(socket: Duplex, message: string, status = 400, statusText = 'Bad Request'): void {
  writeRaw(socket, status, statusText, JSON.stringify({ error: 'bad_request', message }));
}
