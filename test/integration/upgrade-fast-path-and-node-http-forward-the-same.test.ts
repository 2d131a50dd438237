import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startGate } from '../support/gate.js';
import { until } from '../support/wait.js';

const request = 'GET /ws?realm=realm1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n';

/** An upstream that records each request head and the bytes after it, answers 101, and echoes nothing. */
async function recordingUpstream(t: { after(fn: () => void): void }) {
  const seen: { head: string; after: Buffer }[] = [];
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let entry: { head: string; after: Buffer } | undefined;
    sock.on('data', (c: Buffer) => {
      if (entry) {
        entry.after = Buffer.concat([entry.after, c]);
        return;
      }
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      entry = { head: buf.toString('latin1', 0, end + 4), after: buf.subarray(end + 4) };
      seen.push(entry);
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, seen };
}

/** Sends `text` and early frame bytes in one write; resolves on the 101. */
async function upgrade(port: number, text: string): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  await once(sock, 'connect');
  sock.write(Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from('early')]));
  let got = '';
  for await (const c of sock) {
    got += (c as Buffer).toString('latin1');
    if (got.includes('\r\n\r\n')) break;
  }
  assert.match(got, /^HTTP\/1\.1 101 /);
  return sock;
}

test('an upgrade read by the fast path and one read by node:http reach the upstream byte for byte alike', async (t) => {
  const upstream = await recordingUpstream(t);
  const { port } = await startGate(t, { upstream: { url: `http://127.0.0.1:${upstream.port}` }, realms: [{ name: 'realm1' }], readiness: { sources: [{ type: 'static', ready: ['realm1'] }] } });
  const a = await upgrade(port, request);
  // A Content-Length field (0: no body) is never taken by the fast path: this one goes through node:http.
  const viaNodeHttp = request.replace('Sec-WebSocket-Version', 'Content-Length: 0\r\nSec-WebSocket-Version');
  const b = await upgrade(port, viaNodeHttp);
  // The early bytes go upstream after its 101, on both paths.
  await until(() => upstream.seen.length === 2 && upstream.seen.every((s) => s.after.toString() === 'early'), 'both tunnels carried the early bytes');
  a.destroy();
  b.destroy();
  assert.equal(upstream.seen[1]!.head.replace('Content-Length: 0\r\n', ''), upstream.seen[0]!.head);
  assert.notEqual(upstream.seen[1]!.head, upstream.seen[0]!.head);
  assert.match(upstream.seen[0]!.head, /^GET \/ws\?realm=realm1 HTTP\/1\.1\r\nHost: 127\.0\.0\.1\r\n.*\r\nX-Forwarded-For: 10\.0\.0\.1, 127\.0\.0\.1\r\nX-Forwarded-Proto: ws\r\nX-Forwarded-Host: 127\.0\.0\.1\r\n\r\n$/s);
});
