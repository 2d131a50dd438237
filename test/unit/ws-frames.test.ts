// FrameReader parses real client frames from `ws` (masked, 7/16/64-bit lengths) fed in any
// chunking, keeps their exact raw bytes, and refuses protocol errors with the right close code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import { encodeClose, encodeFrame, FrameReader, Opcode, websocketAccept } from '../../src/wamp/ws-frames.js';

function closeCode(code: number) {
  return (err: unknown): boolean => {
    assert.ok(isRealmgateError(err, ErrorCodes.FRAME_INVALID), String(err));
    assert.equal(err.details?.['closeCode'], code);
    return true;
  };
}

test('websocketAccept matches RFC 6455 section 1.3', () => {
  assert.equal(websocketAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('parses the masked frames a real ws client sends, byte by byte, keeping raw bytes', async (t) => {
  // A hand-made server: answers the handshake with websocketAccept (ws checks it) and records bytes.
  // header + mask key + payload of: 'hé!' (4 bytes), 200 bytes, 70 000 bytes, empty ping
  const EXPECTED_BYTES = (2 + 4 + 4) + (2 + 2 + 4 + 200) + (2 + 8 + 4 + 70_000) + (2 + 4);
  const received: Buffer[] = [];
  let done: () => void = () => undefined;
  const allIn = new Promise<void>((resolve) => { done = resolve; });
  const server = net.createServer((sock) => {
    let head = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      if (!head.includes('\r\n\r\n')) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key: *(\S+)/i.exec(head.subarray(0, end).toString())![1]!;
        sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\n\r\n`);
        chunk = head.subarray(end + 4);
      }
      received.push(chunk);
      if (Buffer.concat(received).length >= EXPECTED_BYTES) done();
    });
  });
  t.after(() => server.close());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, { perMessageDeflate: false });
  t.after(() => ws.terminate());
  await new Promise((resolve) => ws.once('open', resolve));
  const big = Buffer.alloc(70_000, 7);
  ws.send('hé!');
  ws.send(Buffer.alloc(200, 1));
  ws.send(big);
  ws.ping();
  await allIn;

  const bytes = Buffer.concat(received);
  const reader = new FrameReader({ maxPayloadBytes: 100_000, requireMask: true });
  const frames = [];
  for (let i = 0; i < bytes.length; i++) frames.push(...reader.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(frames.map((f) => [f.opcode, f.fin, f.masked, f.payload.length]), [
    [Opcode.TEXT, true, true, 4], [Opcode.BINARY, true, true, 200], [Opcode.BINARY, true, true, 70_000], [Opcode.PING, true, true, 0],
  ]);
  assert.equal(frames[0]!.payload.toString('utf8'), 'hé!');
  assert.ok(frames[2]!.payload.equals(big));
  assert.ok(Buffer.concat(frames.map((f) => f.raw)).equals(bytes), 'raw bytes are the exact originals');
  assert.equal(reader.pending().length, 0);
});

test('encodeFrame round-trips across the 7/16/64-bit length boundaries, masked and not', () => {
  for (const len of [0, 1, 125, 126, 127, 65_535, 65_536, 70_001]) {
    for (const mask of [false, true]) {
      const payload = Buffer.alloc(len, len % 251);
      const frame = encodeFrame(Opcode.BINARY, payload, { mask });
      const reader = new FrameReader({ maxPayloadBytes: 1 << 20, requireMask: mask });
      const split = Math.min(frame.length - 1, 3);
      const got = [...reader.push(frame.subarray(0, split)), ...reader.push(frame.subarray(split))];
      assert.equal(got.length, 1, `len ${len} mask ${mask}`);
      assert.ok(got[0]!.payload.equals(payload));
      assert.equal(got[0]!.masked, mask);
      assert.ok(got[0]!.raw.equals(frame));
    }
  }
  const frag = encodeFrame(Opcode.TEXT, Buffer.from('ab'), { fin: false });
  assert.equal(new FrameReader({ maxPayloadBytes: 10 }).push(frag)[0]!.fin, false);
});

test('several frames in one chunk, and pending() shows the partial rest without consuming it', () => {
  const a = encodeFrame(Opcode.TEXT, Buffer.from('one'), { mask: true });
  const b = encodeFrame(Opcode.TEXT, Buffer.from('two'), { mask: true });
  const reader = new FrameReader({ maxPayloadBytes: 100, requireMask: true });
  const out = reader.push(Buffer.concat([a, b, b.subarray(0, 5)]));
  assert.deepEqual(out.map((f) => f.payload.toString()), ['one', 'two']);
  assert.ok(reader.pending().equals(b.subarray(0, 5)));
  assert.ok(reader.pending().equals(b.subarray(0, 5)), 'pending() does not consume');
  assert.deepEqual(reader.push(b.subarray(5)).map((f) => f.payload.toString()), ['two']);
  assert.equal(reader.pending().length, 0);
});

test('protocol errors close with 1002, oversize with 1009 from the header alone, and stay failed', () => {
  const reader = () => new FrameReader({ maxPayloadBytes: 1000, requireMask: true });
  assert.throws(() => reader().push(Buffer.from([0xc1, 0x80, 0, 0, 0, 0])), closeCode(1002)); // RSV1
  assert.throws(() => reader().push(Buffer.from([0x83, 0x80, 0, 0, 0, 0])), closeCode(1002)); // opcode 3
  assert.throws(() => reader().push(Buffer.from([0x8b, 0x80, 0, 0, 0, 0])), closeCode(1002)); // opcode 11
  assert.throws(() => reader().push(Buffer.from([0x81, 0x00])), closeCode(1002)); // unmasked client frame
  assert.throws(() => reader().push(Buffer.from([0x09, 0x80, 0, 0, 0, 0])), closeCode(1002)); // fragmented ping
  assert.throws(() => reader().push(Buffer.from([0x89, 0xfe, 0x00, 0x7e])), closeCode(1002)); // ping of 126
  assert.throws(() => reader().push(Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0])), closeCode(1002)); // 64-bit MSB
  assert.throws(() => reader().push(Buffer.from([0x82, 0xfe, 0x03, 0xe9])), closeCode(1009)); // 1001 bytes, header only
  assert.throws(() => reader().push(Buffer.from([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0])), closeCode(1009));
  const failed = reader();
  assert.throws(() => failed.push(Buffer.from([0x81, 0x00])), closeCode(1002));
  assert.throws(() => failed.push(encodeFrame(Opcode.TEXT, Buffer.from('x'), { mask: true })), closeCode(1002));
  assert.equal(new FrameReader({ maxPayloadBytes: 10 }).push(Buffer.from([0x81, 0x01, 0x41]))[0]!.payload.toString(), 'A');
});

test('encodeClose carries the code and a reason cut to fit a control frame', () => {
  const f = new FrameReader({ maxPayloadBytes: 200 }).push(encodeClose(1001, 'going away'))[0]!;
  assert.equal(f.opcode, Opcode.CLOSE);
  assert.equal(f.payload.readUInt16BE(0), 1001);
  assert.equal(f.payload.subarray(2).toString(), 'going away');
  const long = new FrameReader({ maxPayloadBytes: 200, requireMask: true }).push(encodeClose(1000, 'é'.repeat(100), { mask: true }))[0]!;
  assert.ok(long.payload.length <= 125);
  assert.ok(/^é+$/u.test(long.payload.subarray(2).toString()), 'no split UTF-8 sequence');
});
