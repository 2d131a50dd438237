// Property: peekMessageType never disagrees with a full decode. For any payload in any subprotocol it
// returns the first message's type or undefined (then the gate decodes), never another number; and
// for the messages real peers send (our encoder, msgpackr, cbor-x, JSON with spaces) it is not undefined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { Encoder } from 'cbor-x';
import { decodeFirstMessage, peekMessageType, upstreamFirstMessage } from '../../src/wamp/hello.js';
import { encodeMessage, parseSubprotocol, SUPPORTED_SUBPROTOCOLS, type WampSubprotocol } from '../../src/wamp/serializers.js';

const subprotocols = SUPPORTED_SUBPROTOCOLS.map((name) => parseSubprotocol(name)!);
const sp = (name: string): WampSubprotocol => parseSubprotocol(name)!;
const packr = new Packr({ useRecords: false });
const cbor = new Encoder({ useRecords: false });

function decodedType(s: WampSubprotocol, payload: Buffer): number | undefined {
  try {
    return decodeFirstMessage(s, payload)[0] as number;
  } catch {
    return undefined;
  }
}

const welcome = [2, 12345, { roles: { broker: {} }, authextra: { x_cb_proxy_worker: 'w1' } }];
const abort = [3, {}, 'wamp.error.no_such_realm'];

test('the type of WELCOME, ABORT and every message type 0-127 is read from the first bytes in every subprotocol', () => {
  for (const s of subprotocols) {
    for (const msg of [welcome, abort, ...Array.from({ length: 128 }, (_, t) => [t, 'x'])]) {
      assert.equal(peekMessageType(s, encodeMessage(s, msg)), msg[0], `${s.protocol} ${JSON.stringify(msg)}`);
    }
    // Past 127 msgpack needs its uint8 form, which is not read: undefined, and the gate decodes.
    for (const t of [128, 255]) assert.ok([t, undefined].includes(peekMessageType(s, encodeMessage(s, [t, 'x']))), s.protocol);
  }
});

test('other encoders and spellings: msgpack array16, CBOR one-byte ints and indefinite arrays, JSON whitespace', () => {
  const long = [2, ...Array.from({ length: 20 }, (_, i) => i)];
  assert.equal(peekMessageType(sp('wamp.2.msgpack'), packr.pack(long)), 2); // 0xdc array16
  assert.equal(peekMessageType(sp('wamp.2.cbor'), cbor.encode([48, 1])), 48); // 0x18 0x30
  assert.equal(peekMessageType(sp('wamp.2.cbor'), Buffer.from([0x9f, 0x02, 0x01, 0xff])), 2);
  assert.equal(peekMessageType(sp('wamp.2.json'), Buffer.from(' \n[ 2 , 1, {}]')), 2);
  assert.equal(peekMessageType(sp('wamp.2.json'), Buffer.from('[3]')), 3);
});

test('bytes that are not the plain form give undefined, so the gate decodes', () => {
  const json = sp('wamp.2.json');
  for (const text of ['', '[', '2', '[-2,1]', '[2.0,1]', '[2e0,1]', '[02,1]', '["2",1]', '[2', '[1234,1]', '{"a":1}']) {
    assert.equal(peekMessageType(json, Buffer.from(text)), undefined, text);
  }
  assert.equal(peekMessageType(sp('wamp.2.msgpack'), Buffer.from([0x90])), undefined); // empty array
  assert.equal(peekMessageType(sp('wamp.2.msgpack'), Buffer.from([0x92, 0xcc, 0x02])), undefined); // uint8 form
  assert.equal(peekMessageType(sp('wamp.2.cbor'), Buffer.from([0x80])), undefined); // empty array
  assert.equal(peekMessageType(sp('wamp.2.cbor'), Buffer.from([0x82, 0x20])), undefined); // negative int
  assert.equal(peekMessageType(sp('wamp.2.msgpack.batched'), Buffer.from([0, 0, 0])), undefined);
});

test('property: on arbitrary payloads the peeked type is undefined or the decoded type', () => {
  const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
  const lead = (s: WampSubprotocol): fc.Arbitrary<Buffer> => {
    // Payloads that start like a message, so the interesting branches are reached often.
    const starts = s.serializer === 'json' ? ['[', ' [ ', '[2', '[3,', '[02'] : s.serializer === 'msgpack' ? ['\x92', '\xdc\x00\x02', '\x93\x02'] : ['\x82', '\x9f', '\x98\x02', '\x83\x18'];
    return fc.tuple(fc.constantFrom(...starts), bytes).map(([a, b]) => {
      const m = Buffer.concat([Buffer.from(a, 'latin1'), b]);
      return s.batched && s.binary ? Buffer.concat([Buffer.from([0, 0, 0, m.length]), m]) : s.batched ? Buffer.concat([m, Buffer.from([0x18])]) : m;
    });
  };
  fc.assert(fc.property(fc.constantFrom(...subprotocols).chain((s) => fc.tuple(fc.constant(s), fc.oneof(bytes, lead(s)))), ([s, payload]) => {
    const peeked = peekMessageType(s, payload);
    if (peeked !== undefined) {
      const decoded = decodedType(s, payload);
      // A payload can start like a message and still not decode: then the gate passes it unjudged.
      assert.ok(decoded === undefined || decoded === peeked, `${s.protocol} ${payload.toString('hex')}: peeked ${peeked}, decoded ${decoded}`);
    }
  }), { numRuns: 5000 });
});

test('upstreamFirstMessage decodes an ABORT always and a WELCOME only when asked', () => {
  for (const s of subprotocols) {
    assert.deepEqual(upstreamFirstMessage(s, encodeMessage(s, abort), false), abort);
    assert.equal(upstreamFirstMessage(s, encodeMessage(s, welcome), false), undefined);
    assert.deepEqual(upstreamFirstMessage(s, encodeMessage(s, welcome), true), welcome);
    assert.equal(upstreamFirstMessage(s, Buffer.from([0xc1]), true), undefined);
  }
});
