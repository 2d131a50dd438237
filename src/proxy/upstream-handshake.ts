import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { FrameReader, type Frame, websocketAccept } from '../wamp/ws-frames.js';
import { connectUpstream, type Upstream, upgradeRequestHead } from './tunnel.js';

const MAX_RESPONSE_HEAD = 16 * 1024;

export interface UpstreamSession {
  socket: Socket;
  /** Bytes that came after the 101 head (the start of the upstream's frames). */
  rest: Buffer;
}

/**
 * Opens the upstream WebSocket for a client whose HELLO the gate has read:
 * the client's own request head (cookies, origin, path kept), but with the
 * chosen subprotocol only, no extensions, and a fresh key. Resolves after a
 * valid 101; rejects with UPSTREAM_CONNECT / UPSTREAM_HANDSHAKE otherwise.
 *
 *   gate                               upstream
 *    │ ── GET path, Sec-WebSocket-Protocol: <sp> ─▶ │
 *    │ ◀─ 101, same <sp>, no extensions ─────────── │
 *    │ ── client's HELLO frame (masked bytes) ─────▶ │
 */
export async function openUpstreamWebSocket(up: Upstream, req: IncomingMessage, protocol: string, signal?: AbortSignal): Promise<UpstreamSession> {
  const socket = await connectUpstream(up);
  if (signal?.aborted) {
    socket.destroy();
    throw new RealmgateError(ErrorCodes.CLOSED, 'client gone');
  }
  const key = randomBytes(16).toString('base64');
  socket.write(upgradeRequestHead(req, {
    set: { 'sec-websocket-protocol': protocol, 'sec-websocket-key': key },
    omit: ['sec-websocket-extensions'],
  }));
  try {
    const { status, headers, rest } = await readResponseHead(socket, up.connectTimeoutMs, signal);
    const problem =
      status !== 101 ? `answered HTTP ${status} instead of 101`
      : headers['sec-websocket-accept'] !== websocketAccept(key) ? 'sent a wrong Sec-WebSocket-Accept'
      : headers['sec-websocket-protocol'] !== protocol ? `chose subprotocol "${headers['sec-websocket-protocol'] ?? ''}" instead of "${protocol}"`
      : headers['sec-websocket-extensions'] ? `negotiated extensions "${headers['sec-websocket-extensions']}" that were not offered`
      : undefined;
    if (problem) throw new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream ${problem}`, { details: { status } });
    return { socket, rest };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

function readResponseHead(socket: Socket, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; headers: Record<string, string>; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const done = (err?: Error, value?: { status: number; headers: Record<string, string>; rest: Buffer }): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_RESPONSE_HEAD) done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, 'upstream response head too large'));
        return;
      }
      socket.pause();
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!m) return done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, 'upstream sent a malformed HTTP response'));
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      done(undefined, { status: Number(m[1]), headers, rest: buf.subarray(end + 4) });
    };
    const onError = (err: Error): void => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream failed during the handshake: ${err.message}`, { cause: err }));
    const onClose = (): void => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, 'upstream closed during the handshake'));
    const onAbort = (): void => done(new RealmgateError(ErrorCodes.CLOSED, 'client gone'));
    const timer = setTimeout(() => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream did not complete the handshake within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    signal?.addEventListener('abort', onAbort);
  });
}

/**
 * Reads the upstream's first frame (unmasked, server → client). Resolves with
 * the frame and every byte after it, or rejects on timeout/close/garbage.
 */
export function readFirstFrame(socket: Socket, rest: Buffer, maxBytes: number, timeoutMs: number, signal?: AbortSignal): Promise<{ frame: Frame; after: Buffer }> {
  const reader = new FrameReader({ maxPayloadBytes: maxBytes });
  return new Promise((resolve, reject) => {
    const done = (err?: Error, value?: { frame: Frame; after: Buffer }): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      socket.pause();
      if (err) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (err) {
        return done(err as Error);
      }
      const first = frames[0];
      if (!first) return;
      const tail = frames.slice(1).map((f) => f.raw);
      done(undefined, { frame: first, after: Buffer.concat([...tail, reader.pending()]) });
    };
    const onError = (err: Error): void => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream failed before its first message: ${err.message}`, { cause: err }));
    const onClose = (): void => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, 'upstream closed before its first message'));
    const onAbort = (): void => done(new RealmgateError(ErrorCodes.CLOSED, 'client gone'));
    const timer = setTimeout(() => done(new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, `upstream sent no message within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    signal?.addEventListener('abort', onAbort);
    socket.resume();
    if (rest.length > 0) onData(rest);
  });
}
