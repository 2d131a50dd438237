/**
 * The simulated Crossbar's RawSocket side (shared/crossbar-facts.md §6): a universal port that
 * tells RawSocket (first octet 0x7F) from HTTP/WebSocket, as Crossbar's `universal` transport.
 * RawSocket behaves as autobahn-python's server protocol: a wrong magic octet or a serializer it
 * does not speak drops the connection without a reply; otherwise it answers with the client's
 * serializer and L = 15 (max_message_size 2**24), answers pings, and hands each message to the
 * same WampRouter the WebSocket clients reach — so routes, refusals and WELCOMEs are identical.
 */
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { FirstByteServer } from '../rawsocket/first-byte.js';
import { encodeFrame, encodeHandshake, FrameReader, FrameType, parseClientHandshake, RAWSOCKET_MAX_LENGTH_EXP } from '../rawsocket/framing.js';
import type { WampRouter } from './wamp-router.js';

const MAX_MESSAGE = 2 ** 24;

/**
 * One RawSocket connection dressed as the few `ws` WebSocket members the router's session uses
 * (readyState, protocol, send, close, terminate; 'message', 'close', 'error' events), so the
 * router's WAMP session logic is shared instead of copied.
 */
class RawSocketPeer extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  constructor(readonly socket: Duplex, readonly protocol: string) {
    super();
    socket.on('close', () => {
      this.readyState = this.CLOSED;
      this.emit('close', 1006, Buffer.alloc(0));
    });
  }

  send(data: Buffer | string): void {
    if (this.readyState !== this.OPEN) return;
    this.socket.write(encodeFrame(FrameType.MESSAGE, typeof data === 'string' ? Buffer.from(data) : data));
  }

  /** RawSocket has no close frame: FIN, and cut if the peer lingers. */
  close(): void {
    if (this.readyState !== this.OPEN) return;
    this.readyState = this.CLOSING;
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), 2000);
    t.unref();
  }

  terminate(): void {
    this.readyState = this.CLOSING;
    this.socket.destroy();
  }
}

/** Serves one RawSocket connection on `router` (`first`: bytes already read, starting with 0x7F, or empty). */
export function acceptRawSocket(router: WampRouter, socket: Duplex, first: Buffer): void {
  socket.on('error', () => socket.destroy());
  // Twisted has no half-close: a client's FIN is connectionLost, and the server closes too.
  socket.on('end', () => socket.end());
  let handshake = Buffer.alloc(0);
  let peer: RawSocketPeer | undefined;
  const reader = new FrameReader(MAX_MESSAGE);
  const onData = (chunk: Buffer): void => {
    if (!peer) {
      const need = 4 - handshake.length;
      handshake = Buffer.concat([handshake, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      if (handshake.length < 4) return;
      // autobahn-python's server ignores the reserved octets, and drops a bad magic octet or an
      // unknown serializer without a reply.
      const r = parseClientHandshake(Buffer.from([handshake[0]!, handshake[1]!, 0, 0]));
      if (!r.ok) return void socket.destroy();
      socket.write(encodeHandshake(RAWSOCKET_MAX_LENGTH_EXP, r.handshake.serializerId));
      peer = new RawSocketPeer(socket, r.handshake.sp.protocol);
      // The router keeps only what a session needs of the request: the peer's socket (x_cb_proxy_peer).
      router.attach(peer as unknown as WebSocket, { socket, headers: {}, url: '/', method: 'RAWSOCKET' } as unknown as IncomingMessage);
      if (chunk.length === 0) return;
    }
    let frames;
    try {
      frames = reader.push(chunk);
    } catch {
      return void socket.destroy();
    }
    for (const f of frames) {
      if (f.type === FrameType.PING) socket.write(encodeFrame(FrameType.PONG, f.payload));
      else if (f.type === FrameType.MESSAGE) peer.emit('message', f.payload);
    }
  };
  socket.on('data', onData);
  if (first.length > 0) onData(first);
  socket.resume();
}

/**
 * Listens on host:port with first-octet sorting: RawSocket connections go to `router`, all others
 * to `httpServer` (its 'request' and 'upgrade' handlers run as if it listened itself).
 */
export async function listenUniversal(httpServer: http.Server, router: WampRouter, port: number, host: string): Promise<{ port: number; authority: string; front: FirstByteServer }> {
  const front = new FirstByteServer({
    rawSocket: (socket, first) => acceptRawSocket(router, socket, first),
    other: (socket: net.Socket) => httpServer.emit('connection', socket),
    idleTimeoutMs: 30_000,
  });
  await new Promise<void>((resolve, reject) => {
    front.server.once('error', reject);
    front.server.listen(port, host, () => {
      front.server.off('error', reject);
      resolve();
    });
  });
  // node:http starts its connection tracking (timeouts, closeAllConnections) on its own 'listening'.
  httpServer.emit('listening');
  const bound = (front.server.address() as net.AddressInfo).port;
  return { port: bound, authority: `${host.includes(':') ? `[${host}]` : host}:${bound}`, front };
}
