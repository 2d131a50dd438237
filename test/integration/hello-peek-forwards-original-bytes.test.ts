import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { encodeFrame, Opcode, websocketAccept } from '../../src/wamp/ws-frames.js';
import { startGate } from '../support/gate.js';
import { upgradeRequest } from '../support/raw-http.js';
import { until } from '../support/wait.js';

/** A raw upstream: answers the upgrade with a 101 (echoing the subprotocol), sends a WELCOME, records every byte after the head. */
async function rawUpstream(t: import('node:test').TestContext) {
  const received: Buffer[] = [];
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      const i = head.indexOf('\r\n\r\n');
      if (i < 0) return;
      sock.off('data', onData);
      heads.push(head.slice(0, i));
      const key = /sec-websocket-key: (\S+)/i.exec(head)![1]!;
      const proto = /sec-websocket-protocol: (\S+)/i.exec(head)![1]!;
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: ${proto}\r\n\r\n`);
      sock.write(encodeFrame(Opcode.TEXT, Buffer.from('[2, 1234, {"authextra": {"x_cb_proxy_worker": "cpw-9fbe067c-0"}}]')));
      const rest = Buffer.from(head.slice(i + 4), 'latin1');
      if (rest.length) received.push(rest);
      sock.on('data', (d: Buffer) => received.push(d));
    };
    sock.on('data', onData);
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return { port: (server.address() as net.AddressInfo).port, received, heads };
}

test("on admission the upstream gets the client's original masked HELLO bytes, then everything else untouched", async (t) => {
  const up = await rawUpstream(t);
  const { gate, port } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${up.port}` },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
  });
  const sock = net.connect(port, '127.0.0.1');
  t.after(() => sock.destroy());
  const fromGate: Buffer[] = [];
  sock.on('data', (d: Buffer) => fromGate.push(d));
  sock.write(upgradeRequest('/ws/app?x=1', { 'Sec-WebSocket-Protocol': 'wamp.2.json', 'Sec-WebSocket-Extensions': 'permessage-deflate', Cookie: 'cbtid=abc' }));
  await until(() => Buffer.concat(fromGate).includes('\r\n\r\n'), 'the 101');
  const hello = encodeFrame(Opcode.TEXT, Buffer.from('[1, "realm1", {"roles": {"caller": {}}}]'), { mask: true });
  sock.write(hello);
  await until(() => gate.admission.depth('realm1') === 1, 'held');
  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
  await until(() => Buffer.concat(up.received).length >= hello.length, 'the HELLO upstream');
  assert.deepEqual(Buffer.concat(up.received), hello, 'byte-identical masked HELLO frame');
  const head = up.heads[0]!;
  assert.match(head, /^GET \/ws\/app\?x=1 HTTP\/1\.1/);
  assert.match(head, /Sec-WebSocket-Protocol: wamp\.2\.json/i);
  assert.doesNotMatch(head, /Sec-WebSocket-Extensions/i, 'no extension offered upstream');
  assert.match(head, /Cookie: cbtid=abc/, 'cookies (cbtid) reach Crossbar');
  await until(() => Buffer.concat(fromGate).includes('x_cb_proxy_worker'), 'the WELCOME to the client');

  const later = encodeFrame(Opcode.BINARY, Buffer.from([1, 2, 3, 4, 5]), { mask: true });
  sock.write(later);
  await until(() => Buffer.concat(up.received).length === hello.length + later.length, 'later frames upstream');
  assert.deepEqual(Buffer.concat(up.received).subarray(hello.length), later);
});

test('HELLO peek: an unreachable upstream is retried until the deadline, then the client gets an ABORT with retry guidance, never a silent drop', async (t) => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const deadPort = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  const { port } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${deadPort}` },
    realms: [{ name: 'realm1', queueTimeoutMs: 300 }],
    realmFrom: ['hello'],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const sock = net.connect(port, '127.0.0.1');
  const got: Buffer[] = [];
  sock.on('data', (d: Buffer) => got.push(d));
  sock.write(upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': 'wamp.2.json' }));
  sock.write(encodeFrame(Opcode.TEXT, Buffer.from('[1, "realm1", {}]'), { mask: true }));
  await new Promise((r) => sock.once('close', r));
  // Retried until its deadline, then the ABORT with retry guidance (and no upstream address).
  const all = Buffer.concat(got);
  assert.match(all.toString(), /\[3,\{"message":"the router for realm \\"realm1\\" could not be reached - please retry connection","retry_after":5\},"wamp.error.no_such_realm"\]/);
  assert.doesNotMatch(all.toString(), new RegExp(String(deadPort)));
  const i = all.indexOf(0x88);
  assert.ok(i > 0, 'a close frame');
  assert.equal(all.readUInt16BE(i + 2), 1000);
});
