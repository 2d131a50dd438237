import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WebSocket } from 'ws';
import { encodeClose, encodeFrame, Opcode } from '../../src/wamp/ws-frames.js';
import { startGate, type StartedGate } from '../support/gate.js';
import { metricValue, rawExchange, upgradeRequest } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

async function gate(t: import('node:test').TestContext, hello: object = {}): Promise<StartedGate> {
  const upstream = await startEchoUpstream(t);
  return startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }], realmFrom: ['hello'], hello });
}

/** Opens a raw socket, completes the client side of the handshake by hand, returns the socket and the bytes after the 101. */
async function rawWs(port: number, protocol = 'wamp.2.json'): Promise<{ sock: net.Socket; received: Buffer[]; closed: Promise<void> }> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  const received: Buffer[] = [];
  let head = '';
  await new Promise<void>((resolve) => {
    sock.write(upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': protocol }));
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      const i = head.indexOf('\r\n\r\n');
      if (i < 0) return;
      assert.match(head, /^HTTP\/1\.1 101 /);
      sock.off('data', onData);
      const rest = Buffer.from(head.slice(i + 4), 'latin1');
      if (rest.length) received.push(rest);
      sock.on('data', (d: Buffer) => received.push(d));
      resolve();
    };
    sock.on('data', onData);
  });
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  return { sock, received, closed };
}

function closeCode(bytes: Buffer): { code: number; reason: string } | undefined {
  // Find the server's close frame (unmasked): 0x88, len, code(2), reason.
  const i = bytes.indexOf(0x88);
  if (i < 0) return undefined;
  const len = bytes[i + 1]! & 0x7f;
  return { code: bytes.readUInt16BE(i + 2), reason: bytes.subarray(i + 4, i + 2 + len).toString() };
}

const masked = (opcode: number, payload: string | Buffer) => encodeFrame(opcode, Buffer.from(payload), { mask: true });

test('a handshake offering no WAMP subprotocol gets 400 listing what the gate speaks', async (t) => {
  const g = await gate(t);
  for (const extra of [{}, { 'Sec-WebSocket-Protocol': 'wamp.2.ubjson, mqtt' }] as Record<string, string>[]) {
    const { text } = await rawExchange(g.port, upgradeRequest('/ws', extra));
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /only speaks WebSocket subprotocols wamp\.2\.json, wamp\.2\.json\.batched, wamp\.2\.msgpack/);
  }
  const { text } = await rawExchange(g.port, upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': 'wamp.2.json', 'Sec-WebSocket-Version': '8' }));
  assert.match(text, /^HTTP\/1\.1 426 /);
});

test("the client's first offered supported subprotocol is chosen, without extensions", async (t) => {
  const g = await gate(t);
  const ws = new WebSocket(`${g.wsUrl}/ws`, ['wamp.2.ubjson', 'wamp.2.cbor', 'wamp.2.json']);
  t.after(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  assert.equal(ws.protocol, 'wamp.2.cbor');
  assert.equal(ws.extensions, '', 'permessage-deflate offered by ws by default is not negotiated');
});

test('a first message that is not a valid HELLO gets close 1002 and counts bad_request', async (t) => {
  const g = await gate(t);
  for (const payload of ['[2, "realm1", {}]', '[1, "bad realm", {}]', '[1, "realm1", []]', 'not json', '[1, null, {}]']) {
    const c = await rawWs(g.port);
    c.sock.write(masked(Opcode.TEXT, payload));
    await c.closed;
    const cc = closeCode(Buffer.concat(c.received));
    assert.equal(cc?.code, 1002, payload);
    assert.match(cc!.reason, /invalid HELLO/);
  }
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'bad_request' }), 5);
});

test('a HELLO over hello.maxBytes gets close 1009 before it is buffered', async (t) => {
  const g = await gate(t, { maxBytes: 1024 });
  const c = await rawWs(g.port);
  // Only the header of a 1 MB frame is sent: the gate refuses from the declared length.
  const header = encodeFrame(Opcode.TEXT, Buffer.alloc(1_000_000), { mask: true }).subarray(0, 14);
  c.sock.write(header);
  await c.closed;
  assert.equal(closeCode(Buffer.concat(c.received))?.code, 1009);
});

test('no HELLO within hello.timeoutMs: the gate closes with a reason', async (t) => {
  const g = await gate(t, { timeoutMs: 100 });
  const c = await rawWs(g.port);
  await c.closed;
  const cc = closeCode(Buffer.concat(c.received));
  assert.equal(cc?.code, 1008);
  assert.match(cc!.reason, /no WAMP HELLO within 100 ms/);
});

test('pings are answered while held; a client close leaves the queue as client_gone', async (t) => {
  const g = await gate(t);
  const c = await rawWs(g.port);
  c.sock.write(Buffer.concat([masked(Opcode.PING, 'p1'), masked(Opcode.TEXT, '[1, "realm1", {"roles": {"caller": {}}}]')]));
  await until(() => g.gate.admission.depth('realm1') === 1, 'held');
  c.sock.write(masked(Opcode.PING, 'p2'));
  await until(() => Buffer.concat(c.received).includes(Buffer.from('p2')), 'the second pong');
  const got = Buffer.concat(c.received);
  assert.equal(got[0], 0x8a, 'a pong frame');
  c.sock.write(encodeClose(1000, '', { mask: true }));
  await until(() => g.gate.admission.depth('realm1') === 0, 'the queue to empty');
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'client_gone' }), 1);
});

test('a HELLO split across fragments and TCP chunks is read', async (t) => {
  const g = await gate(t);
  const c = await rawWs(g.port);
  const a = encodeFrame(Opcode.TEXT, Buffer.from('[1, "realm1", '), { mask: true, fin: false });
  const b = encodeFrame(Opcode.CONTINUATION, Buffer.from('{"roles": {}}]'), { mask: true });
  for (const byte of Buffer.concat([a, b])) c.sock.write(Buffer.from([byte]));
  await until(() => g.gate.admission.depth('realm1') === 1, 'the fragmented HELLO to be held');
});
