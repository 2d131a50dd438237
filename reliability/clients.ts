/**
 * Raw-socket clients for the fault and security checks: an upgrade that resolves with the first
 * response head (and keeps the socket when it is a 101), and a masked WAMP HELLO frame.
 */
import net from 'node:net';
import { encodeMessage, parseSubprotocol } from '../src/wamp/serializers.js';
import { encodeFrame, FrameReader, Opcode } from '../src/wamp/ws-frames.js';
import { decodeFirstMessage } from '../src/wamp/hello.js';

export const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A WebSocket upgrade request head (wamp.2.json unless `protocol` says otherwise). */
export function upgradeHead(path: string, extra: Record<string, string> = {}, protocol = 'wamp.2.json'): string {
  const h = { Host: '127.0.0.1', Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': WS_KEY, 'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Protocol': protocol, ...extra };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

/** A client-masked JSON HELLO frame for `realm`. */
export function helloFrame(realm: string): Buffer {
  return encodeFrame(Opcode.TEXT, encodeMessage(parseSubprotocol('wamp.2.json')!, [1, realm, { roles: { caller: {} } }]), { mask: true });
}

export interface Upgrade {
  status: number | 'none' | 'timeout';
  head: string;
  socket: net.Socket;
  /** Resolves when the socket closes, with the server's CLOSE code if one came (after a 101). */
  closed: Promise<{ wsClose?: number; at: number }>;
  /** First WAMP message type received after a 101 (resolves undefined if the socket closes first). */
  firstMessage: Promise<number | undefined>;
}

/** Opens a raw upgrade, writes `head` and optional `after` bytes; resolves at the first response head. */
export function upgrade(port: number, head: string, after?: Buffer, timeoutMs = 30_000): Promise<Upgrade> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let reader: FrameReader | undefined;
    let wsClose: number | undefined;
    let onMessage: (t: number | undefined) => void = () => {};
    const firstMessage = new Promise<number | undefined>((r) => (onMessage = r));
    const closed = new Promise<{ wsClose?: number; at: number }>((r) =>
      socket.once('close', () => {
        onMessage(undefined);
        r({ ...(wsClose !== undefined ? { wsClose } : {}), at: performance.now() });
      }),
    );
    let settled = false;
    const settle = (status: Upgrade['status'], text: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, head: text, socket, closed, firstMessage });
    };
    const timer = setTimeout(() => settle('timeout', ''), timeoutMs);
    socket.on('error', () => {});
    socket.on('close', () => settle('none', ''));
    socket.on('connect', () => {
      socket.write(head);
      if (after) socket.write(after);
    });
    socket.on('data', (c: Buffer) => {
      if (reader) {
        try {
          for (const f of reader.push(c)) {
            if (f.opcode === Opcode.CLOSE) wsClose ??= f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
            else if (f.opcode === Opcode.TEXT) {
              try {
                const m = decodeFirstMessage(parseSubprotocol('wamp.2.json')!, f.payload);
                onMessage(typeof m[0] === 'number' ? m[0] : -1);
              } catch {
                onMessage(-1);
              }
            }
          }
        } catch {
          /* unparseable server frames: the close still tells */
        }
        return;
      }
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = buf.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      if (status === 101) {
        reader = new FrameReader({ maxPayloadBytes: 1 << 24 });
        const rest = buf.subarray(end + 4);
        if (rest.length > 0) socket.emit('data', rest);
      }
      settle(status, buf.toString('latin1'));
    });
  });
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until truthy or `timeoutMs`; returns the last value. */
export async function poll<T>(check: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v || Date.now() > deadline) return v;
    await sleep(50);
  }
}

/** A loopback port nothing listens on (bound, then released): connections to it are refused. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
