// Property: whatever bytes arrive, in whatever chunks, the RawSocket handshake parser and frame
// reader answer with a result or RealmgateError FRAME_INVALID — nothing else — and the frames
// they return are exactly the bytes received, in order; nothing beyond one frame is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCodes, RealmgateError } from '../../src/errors.js';
import { encodeFrame, FrameReader, parseClientHandshake, RawSocketError } from '../../src/rawsocket/framing.js';

const RUNS = 10_000;

/** Splits `bytes` at the given cut points. */
function chunked(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(prev, c)));
    prev = c;
  }
  return out;
}

/** Mostly well-formed streams (valid headers, some mutated), so the reader's deep paths are reached too. */
const frameStream = fc.array(fc.record({
  type: fc.integer({ min: 0, max: 7 }),
  payload: fc.uint8Array({ maxLength: 300 }),
  reserved: fc.boolean(),
}), { maxLength: 6 }).map((fs) => Buffer.concat(fs.map((f) => {
  const b = encodeFrame(f.type, Buffer.from(f.payload));
  if (f.reserved) b[0]! |= 0x40;
  return b;
})));
const anyBytes = fc.oneof(frameStream, fc.uint8Array({ maxLength: 600 }).map((u) => Buffer.from(u)));

test(`frame reader: ${RUNS} streams in random chunks give frames that are the input bytes, or FRAME_INVALID`, () => {
  fc.assert(fc.property(anyBytes, fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 0, max: 400 }), (bytes, cuts, max) => {
    const reader = new FrameReader(max);
    const got: Buffer[] = [];
    try {
      for (const c of chunked(bytes, cuts)) {
        for (const f of reader.push(c)) {
          assert.ok(f.type <= 2, 'only message, ping and pong frames come out');
          assert.ok(f.payload.length <= max, 'no frame beyond the limit');
          got.push(f.raw);
        }
        assert.ok(reader.buffered <= max + 4 + c.length, 'never more kept than one frame and one chunk');
      }
      assert.deepEqual(Buffer.concat([...got, reader.pending()]), bytes, 'frames + pending = the bytes received');
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      assert.ok(err instanceof RealmgateError && err.code === ErrorCodes.FRAME_INVALID, `unexpected throw: ${String(err)}`);
      assert.throws(() => reader.push(Buffer.from([0])), RealmgateError, 'a failed reader stays failed');
    }
  }), { numRuns: RUNS });
});

test(`handshake: ${RUNS} random openings are accepted exactly when magic, serializer and reserved octets are right`, () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.boolean(), (u, magic) => {
    const b = Buffer.from(u);
    if (magic) b[0] = 0x7f;
    const r = parseClientHandshake(b);
    const s = b[1]! & 15;
    const valid = b[0] === 0x7f && b[2] === 0 && b[3] === 0 && s >= 1 && s <= 3;
    assert.equal(r.ok, valid);
    if (r.ok) {
      assert.equal(r.handshake.maxBytes, 2 ** (9 + (b[1]! >> 4)));
      assert.deepEqual(r.handshake.raw, b);
    } else if (b[0] !== 0x7f) {
      assert.equal(r.error, undefined, 'a wrong magic octet gets no reply');
    } else {
      assert.ok(r.error === RawSocketError.RESERVED_BITS || r.error === RawSocketError.SERIALIZER_UNSUPPORTED);
    }
  }), { numRuns: RUNS });
});
