import type { Socket } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { upstreamFirstMessage } from '../wamp/hello.js';
import { type Cancel, readUpstream } from '../proxy/read-upstream.js';
import { ConnectSlots } from '../proxy/connect-slots.js';
import { connectUpstream, type Upstream } from '../proxy/tunnel.js';
import { checkServerHandshake, encodeFrame, FrameReader, FrameType, type Handshake } from './framing.js';
import type { UpstreamOpened } from './hello-hold.js';

/** Largest first upstream message read for re-admission (WELCOME with big authextra), as for WebSocket. */
const MAX_UPSTREAM_FIRST_MESSAGE = 1024 * 1024;

/** `upstream.rawsocketUrl` (tcp://host:port), or the upstream's own host and port (a universal transport). */
export function parseRawSocketUpstream(rawsocketUrl: string | undefined, upstream: Upstream): Upstream {
  if (rawsocketUrl === undefined) return { ...upstream, tls: false };
  const u = new URL(rawsocketUrl);
  // Another listener (its own listen queue): its own connect slots, as many.
  const slots = upstream.slots ? new ConnectSlots(upstream.slots.max, upstream.connectTimeoutMs) : undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port), tls: false, connectTimeoutMs: upstream.connectTimeoutMs, ...(slots ? { slots } : {}) };
}

/**
 * Opens the upstream RawSocket for an admitted client:
 *
 *   gate                                   upstream
 *    │ ── client's 4 handshake octets ─────────▶ │   (its serializer and maximum length, replayed)
 *    │ ◀─ 0x7F, L|S (same S), 0, 0 ──────────── │   (else: refused, no tunnel)
 *    │ ── client's HELLO frame, as received ───▶ │
 *    │ ◀─ first WAMP message (WELCOME/ABORT…) ── │   (read only with readFirst; pings answered)
 *
 * The upstream's handshake reply is the gate's business (the client had the gate's own): it is
 * never passed on. Rejects with UPSTREAM_CONNECT / UPSTREAM_HANDSHAKE, or CLOSED when `c` is
 * cancelled; the upstream socket is destroyed on every failure.
 */
export async function openUpstreamRawSocket(up: Upstream, handshake: Handshake, helloRaw: Buffer, c: Cancel, readFirst: boolean, welcomeToo: boolean): Promise<UpstreamOpened> {
  const socket = await connectUpstream(up, c);
  // Between our readers and the caller's pipe an error must not reach the process; 'close' still ends it.
  socket.on('error', () => {});
  try {
    if (c.cancelled) throw new RealmgateError(ErrorCodes.CLOSED, 'client gone');
    socket.write(handshake.raw);
    const opts = { timeoutMs: up.connectTimeoutMs, cancel: c };
    let got: Buffer = Buffer.alloc(0);
    const rest = await readUpstream(socket, { ...opts, do: 'answer the RawSocket handshake' }, (chunk) => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      if (got.length < 4) return undefined;
      const check = checkServerHandshake(got.subarray(0, 4), handshake);
      if (!check.ok) throw new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, check.reason);
      return got.subarray(4);
    });
    socket.write(helloRaw);
    if (!readFirst) return { upstream: socket, firstMessage: undefined, toClient: rest };
    const reader = new FrameReader(MAX_UPSTREAM_FIRST_MESSAGE);
    const { raw, payload, after } = await readUpstream(socket, { ...opts, do: 'send its first WAMP message' }, (chunk) => {
      const frames = reader.push(chunk);
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        // A ping before the first message is answered here: the client's own pings went to the gate.
        if (f.type === FrameType.PING) socket.write(encodeFrame(FrameType.PONG, f.payload));
        if (f.type !== FrameType.MESSAGE) continue;
        return { raw: f.raw, payload: f.payload, after: Buffer.concat([...frames.slice(i + 1).map((x) => x.raw), reader.pending()]) };
      }
      return undefined;
    }, rest);
    return { upstream: socket, firstMessage: upstreamFirstMessage(handshake.sp, payload, welcomeToo), toClient: Buffer.concat([raw, after]) };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
