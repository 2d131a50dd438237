import net from 'node:net';
import { upgradeRequest } from './raw-http.js';
import { until } from './wait.js';

export interface PeekClient {
  sock: net.Socket;
  /** Everything the gate sent after its 101 head (and the head itself). */
  received: Buffer[];
  closed: Promise<void>;
}

/** A raw HELLO-mode WebSocket client: resolves after the gate's 101; sends nothing else by itself. */
export async function openPeekClient(port: number, protocol = 'wamp.2.json', path = '/ws'): Promise<PeekClient> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  const received: Buffer[] = [];
  sock.on('data', (d: Buffer) => received.push(d));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.write(upgradeRequest(path, { 'Sec-WebSocket-Protocol': protocol }));
  await until(() => Buffer.concat(received).includes('\r\n\r\n') || sock.destroyed, 'the 101');
  const head = Buffer.concat(received).toString('latin1');
  if (!head.startsWith('HTTP/1.1 101 ')) throw new Error(`expected a 101, got ${head.slice(0, 200)}`);
  return { sock, received, closed };
}

/** The first close frame the gate sent (server frames are unmasked): its code and reason. */
export function serverClose(received: Buffer[]): { code: number; reason: string } | undefined {
  const all = Buffer.concat(received);
  const i = all.indexOf(Buffer.from([0x88]), all.indexOf('\r\n\r\n'));
  if (i < 0) return undefined;
  const len = all[i + 1]! & 0x7f;
  return { code: all.readUInt16BE(i + 2), reason: all.subarray(i + 4, i + 2 + len).toString() };
}
