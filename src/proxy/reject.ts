import type { Duplex } from 'node:stream';
import { notReadyMessage } from '../wamp/abort.js';
import type { RejectReason } from './admission.js';

/**
 * The contract's refusal of a WebSocket upgrade: a complete raw HTTP response
 * written on the socket (no 101 was sent), then the socket ends. Written raw
 * because an upgrade request has no ServerResponse.
 */
export function notReadyBody(reason: RejectReason, realm: string | undefined, retryAfterSeconds: number): string {
  // The contract's one message for every reason; only a client whose realm is not known yet
  // (draining before its HELLO) gets a message without a realm.
  const message = realm !== undefined ? notReadyMessage(realm) : 'realmgate is shutting down - please retry connection';
  return JSON.stringify({ error: reason, realm: realm ?? null, message, retryAfterSeconds });
}

export function writeServiceUnavailable(
  socket: Duplex,
  reason: RejectReason,
  realm: string | undefined,
  retryAfterSeconds: number,
): void {
  const body = notReadyBody(reason, realm, retryAfterSeconds);
  writeRaw(socket, 503, 'Service Unavailable', body, {
    'Retry-After': String(retryAfterSeconds),
    'X-Realmgate-Reason': reason,
  });
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
