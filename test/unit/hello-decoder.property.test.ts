// Property: whatever bytes or values a client sends, in every subprotocol, decodeHello returns a
// routable Hello or throws RealmgateError HELLO_INVALID / FRAME_INVALID — nothing else, and fast.
// Same for FrameReader over arbitrary bytes in arbitrary chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { Encoder } from 'cbor-x';
import { ErrorCodes, RealmgateError } from '../../src/errors.js';
import { decodeHello, isPlainObject, isValidRealm } from '../../src/wamp/hello.js';
import { encodeMessage, parseSubprotocol, SUPPORTED_SUBPROTOCOLS, type WampSubprotocol } from '../../src/wamp/serializers.js';
import { encodeFrame, FrameReader } from '../../src/wamp/ws-frames.js';

const subprotocols = SUPPORTED_SUBPROTOCOLS.map((name) => parseSubprotocol(name)!);
const anySp = fc.constantFrom(...subprotocols);
const packr = new Packr({ useRecords: false });
const cbor = new Encoder({ useRecords: false });

/** The property itself: a valid Hello, or one of the two documented errors. */
function helloOrDocumentedError(sp: WampSubprotocol, payload: Buffer): void {
  try {
    const hello = decodeHello(sp, payload);
    assert.ok(isValidRealm(hello.realm), `invalid realm accepted: ${JSON.stringify(hello.realm)}`);
    assert.ok(isPlainObject(hello.details));
  } catch (err) {
    assert.ok(err instanceof RealmgateError, `unexpected throw: ${String(err)}`);
    assert.ok(err.code === ErrorCodes.HELLO_INVALID || err.code === ErrorCodes.FRAME_INVALID, err.code);
  }
}

/** Raw serializer bytes of any value (not necessarily an array), with the subprotocol's framing. */
function rawEncode(sp: WampSubprotocol, value: unknown): Buffer | undefined {
  let body: Buffer;
  try {
    if (sp.serializer === 'json') {
      const text = JSON.stringify(value);
      if (text === undefined) return undefined;
      body = Buffer.from(text);
    } else {
      body = Buffer.from(sp.serializer === 'msgpack' ? packr.pack(value) : cbor.encode(value));
    }
  } catch {
    return undefined; // the generator made something this serializer cannot encode (e.g. a cyclic or BigInt value)
  }
  if (!sp.batched) return body;
  if (!sp.binary) return Buffer.concat([body, Buffer.from([0x18])]);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

const realmish = fc.oneof(
  fc.constantFrom('realm1', 'com.example.app', '', 'a..b', 'a b', 'r#', null),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[a-z0-9_.]{1,20}$/),
  fc.anything({ maxDepth: 2 }),
);
const helloish = fc.tuple(fc.oneof(fc.constant(1), fc.integer(), fc.anything({ maxDepth: 1 })), realmish, fc.anything({ maxDepth: 4 }))
  .map(([type, realm, details]) => [type, realm, details]);

test('decodeHello over arbitrary bytes in every subprotocol', () => {
  fc.assert(fc.property(anySp, fc.uint8Array({ maxLength: 300 }), (sp, bytes) => {
    helloOrDocumentedError(sp, Buffer.from(bytes));
  }), { numRuns: 3000 });
});

test('decodeHello over arbitrary JSON / msgpack / cbor values, HELLO-shaped or not', () => {
  fc.assert(fc.property(anySp, fc.oneof(helloish, fc.jsonValue({ maxDepth: 5 }), fc.anything({ maxDepth: 5 })), (sp, value) => {
    const payload = rawEncode(sp, value);
    if (payload) helloOrDocumentedError(sp, payload);
  }), { numRuns: 4000 });
});

test('decodeHello over valid HELLOs with corrupted bytes', () => {
  const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
  fc.assert(fc.property(anySp, fc.string({ minLength: 1, maxLength: 30 }), mutation, fc.boolean(), (sp, realm, flips, truncate) => {
    const payload = Buffer.from(encodeMessage(sp, [1, realm, { roles: { caller: {} }, authid: realm }]));
    for (const [at, byte] of flips) payload[at % payload.length] = byte;
    helloOrDocumentedError(sp, truncate ? payload.subarray(0, payload.length >> 1) : payload);
  }), { numRuns: 3000 });
});

test('decodeHello refuses hostile nesting with FRAME_INVALID, without exhausting the stack', () => {
  for (const sp of subprotocols) {
    const deep = sp.serializer === 'json'
      ? Buffer.from(`[1,"r",${'['.repeat(60_000)}${']'.repeat(60_000)}]`)
      : Buffer.concat([Buffer.from([0x93, 0x01, 0xa1, 0x72]), Buffer.alloc(60_000, sp.serializer === 'msgpack' ? 0x91 : 0x81), Buffer.from([0])]);
    let payload = deep;
    if (sp.batched && !sp.binary) payload = Buffer.concat([deep, Buffer.from([0x18])]);
    if (sp.batched && sp.binary) {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(deep.length);
      payload = Buffer.concat([prefix, deep]);
    }
    assert.throws(() => decodeHello(sp, payload), (err: unknown) => err instanceof RealmgateError && err.code === ErrorCodes.FRAME_INVALID, sp.protocol);
  }
});

/** Split `bytes` at the given cut points. */
function chunks(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(start, p)));
    start = p;
  }
  return out;
}

test('FrameReader over arbitrary bytes in arbitrary chunks: frames or FRAME_INVALID, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (bytes, cuts, requireMask) => {
    const reader = new FrameReader({ maxPayloadBytes: 256, requireMask });
    let consumed = 0;
    try {
      for (const c of chunks(bytes, cuts)) for (const f of reader.push(c)) consumed += f.raw.length;
      assert.equal(consumed + reader.pending().length, bytes.length, 'every byte is in a frame or pending');
    } catch (err) {
      assert.ok(err instanceof RealmgateError && err.code === ErrorCodes.FRAME_INVALID, String(err));
      assert.ok([1002, 1009].includes(err.details?.['closeCode'] as number));
    }
  }), { numRuns: 2000 });
});

test('FrameReader yields the same frames however a valid stream is chunked', () => {
  const frame = fc.record({ opcode: fc.constantFrom(1, 2, 0), payload: fc.uint8Array({ maxLength: 300 }), fin: fc.boolean() });
  fc.assert(fc.property(fc.array(frame, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
    const wire = Buffer.concat(frames.map((f) => encodeFrame(f.opcode, Buffer.from(f.payload), { mask: true, fin: f.fin })));
    const reader = new FrameReader({ maxPayloadBytes: 300, requireMask: true });
    const got = chunks(wire, cuts).flatMap((c) => reader.push(c));
    assert.deepEqual(got.map((f) => [f.opcode, f.fin, Buffer.from(f.payload).toString('hex')]),
      frames.map((f) => [f.opcode, f.fin, Buffer.from(f.payload).toString('hex')]));
    assert.ok(Buffer.concat(got.map((f) => f.raw)).equals(wire));
  }), { numRuns: 1000 });
});
