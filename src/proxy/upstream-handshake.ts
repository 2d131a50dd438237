import { randomFillSync } from 'node:crypto';
import type { Socket } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { encodeFrame, FrameReader, type Frame, Opcode, websocketAccept } from '../wamp/ws-frames.js';
import { type Cancel, readUpstream } from './read-upstream.js';
import { responseHeadReader } from './upstream-response.js';
import { connectUpstream, type Upstream, upgradeRequestHead } from './tunnel.js';
import type { UpgradeRequest } from './upgrade-request.js';

export interface UpstreamSession {
  socket: Socket;
  /** Bytes that came after the 101 head (the start of the upstream's frames). */
  rest: Buffer;
}

/**
 * Sec-WebSocket-Key values for the gate's upstream handshakes: 16 random bytes each (RFC 6455
 * 4.1), taken from one buffer refilled every 256 keys. One `randomBytes(16)` per peek session
 * was ~3 % of the session's CPU (profile of the sessions bench); each key is still used once.
 */
export class WebSocketKeys {
  readonly #pool = Buffer.allocUnsafe(16 * 256);
  #next = this.#pool.length;

  next(): string {
    if (this.#next === this.#pool.length) {
      randomFillSync(this.#pool);
      this.#next = 0;
    }
    const key = this.#pool.toString('base64', this.#next, this.#next + 16);
    this.#next += 16;
    return key;
  }
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
export async function openUpstreamWebSocket(up: Upstream, req: UpgradeRequest, protocol: string, c: Cancel, keys: WebSocketKeys): Promise<UpstreamSession> {
  const socket = await connectUpstream(up, c);
  if (c.cancelled) {
    socket.destroy();
    throw new RealmgateError(ErrorCodes.CLOSED, 'client gone');
  }
  const key = keys.next();
  socket.write(upgradeRequestHead(req, {
    set: { 'sec-websocket-protocol': protocol, 'sec-websocket-key': key },
    omit: ['sec-websocket-extensions'],
  }));
  try {
    const { status, headers, rest } = await readUpstream(socket, { timeoutMs: up.connectTimeoutMs, cancel: c, do: 'complete the WebSocket handshake' }, responseHeadReader());
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

/**
 * Reads the upstream's first data frame (unmasked, server → client), starting with `rest` (bytes
 * that came with the 101). Control frames before it are the gate's to handle, never the
 * client's to see: a PING is answered (masked PONG, as a client must), a PONG dropped, a CLOSE
 * is the upstream going away before its first WAMP message (retryable, like a reset).
 * Resolves with the data frame and every byte after it.
 */
export function readFirstFrame(socket: Socket, rest: Buffer, maxBytes: number, timeoutMs: number, c: Cancel): Promise<{ frame: Frame; after: Buffer }> {
  const reader = new FrameReader({ maxPayloadBytes: maxBytes });
  return readUpstream(socket, { timeoutMs, cancel: c, do: 'send its first WAMP message' }, (chunk) => {
    const frames = reader.push(chunk);
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      if (f.opcode === Opcode.PING) {
        socket.write(encodeFrame(Opcode.PONG, f.payload, { mask: true }));
        continue;
      }
      if (f.opcode === Opcode.PONG) continue;
      if (f.opcode === Opcode.CLOSE) throw new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, 'upstream closed the WebSocket before its first WAMP message', { details: { kind: 'closed' } });
      return { frame: f, after: Buffer.concat([...frames.slice(i + 1).map((x) => x.raw), reader.pending()]) };
    }
    return undefined;
  }, rest);
}
