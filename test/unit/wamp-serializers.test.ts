// wamp.2.{json,msgpack,cbor}[.batched]: subprotocol choice, round trips, interop with the bytes
// autobahn-js's own serializers (msgpack5, node-cbor) produce, and refusal of bad payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import autobahn from 'autobahn';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import {
  decodeMessages, encodeMessage, parseSubprotocol, pickSubprotocol, SUPPORTED_SUBPROTOCOLS, type WampSubprotocol,
} from '../../src/wamp/serializers.js';

const sp = (name: string): WampSubprotocol => parseSubprotocol(name)!;
const SAMPLE: unknown[] = [48, 7, {}, 'com.example.add', [1, -2.5, 'ünï', null, true], { nested: { list: [1, [2, [3]]], big: 2 ** 40 } }];

function frameInvalid(closeCode?: number) {
  return (err: unknown): boolean => {
    assert.ok(isRealmgateError(err, ErrorCodes.FRAME_INVALID), String(err));
    if (closeCode !== undefined) assert.equal(err.details?.['closeCode'], closeCode);
    return true;
  };
}

test('parseSubprotocol knows exactly the six json/msgpack/cbor (+ .batched) names', () => {
  assert.equal(SUPPORTED_SUBPROTOCOLS.length, 6);
  assert.deepEqual(parseSubprotocol('wamp.2.msgpack.batched'), { protocol: 'wamp.2.msgpack.batched', serializer: 'msgpack', batched: true, binary: true });
  assert.deepEqual(parseSubprotocol(' wamp.2.json '), { protocol: 'wamp.2.json', serializer: 'json', batched: false, binary: false });
  for (const name of ['wamp.2.ubjson', 'wamp.2.flatbuffers', 'wamp.2.json.batched.x', 'wamp.1.json', '', 'WAMP.2.JSON']) {
    assert.equal(parseSubprotocol(name), undefined, name);
  }
});

test('pickSubprotocol takes the client\'s first supported offer, whatever the spacing', () => {
  assert.equal(pickSubprotocol('wamp.2.json,wamp.2.msgpack')?.protocol, 'wamp.2.json');
  assert.equal(pickSubprotocol('wamp.2.ubjson, wamp.2.cbor.batched ,wamp.2.json')?.protocol, 'wamp.2.cbor.batched');
  assert.equal(pickSubprotocol(['mqtt', 'wamp.2.msgpack'])?.protocol, 'wamp.2.msgpack');
  assert.equal(pickSubprotocol('mqtt, wamp.2.ubjson'), undefined);
  assert.equal(pickSubprotocol(undefined), undefined);
  assert.equal(pickSubprotocol(''), undefined);
});

test('every subprotocol round-trips messages, and batched payloads carry several', () => {
  for (const name of SUPPORTED_SUBPROTOCOLS) {
    const p = sp(name);
    const one = encodeMessage(p, SAMPLE);
    assert.deepEqual(decodeMessages(p, one), [SAMPLE], name);
    if (!p.batched) continue;
    const two = Buffer.concat([one, encodeMessage(p, [6, {}, 'wamp.close.normal'])]);
    assert.deepEqual(decodeMessages(p, two), [SAMPLE, [6, {}, 'wamp.close.normal']], name);
  }
});

test('framing on the wire: JSON text with 0x18 terminators, binary with 4-byte BE length prefixes', () => {
  assert.equal(encodeMessage(sp('wamp.2.json'), [1, 'r', {}]).toString(), '[1,"r",{}]');
  assert.equal(encodeMessage(sp('wamp.2.json.batched'), [1, 'r', {}]).toString('hex'), Buffer.from('[1,"r",{}]\x18').toString('hex'));
  assert.equal(encodeMessage(sp('wamp.2.msgpack'), [1, 'r', {}]).toString('hex'), '9301a17280');
  assert.equal(encodeMessage(sp('wamp.2.msgpack.batched'), [1, 'r', {}]).toString('hex'), '00000005' + '9301a17280');
  assert.equal(encodeMessage(sp('wamp.2.cbor'), [1, 'r', {}]).toString('hex'), '830161' + '72a0');
  assert.equal(encodeMessage(sp('wamp.2.cbor.batched'), [2, 5, {}]).toString('hex'), '00000004' + '830205a0');
});

test('decodes the exact bytes autobahn-js serializes, and autobahn-js decodes ours', async () => {
  const hello = [1, 'realm1', { roles: { caller: { features: { progressive_call_results: true } } }, authmethods: ['anonymous'] }];
  const json = new autobahn.serializer.JSONSerializer();
  const msgpack = new autobahn.serializer.MsgpackSerializer();
  const cbor = new autobahn.serializer.CBORSerializer();
  assert.deepEqual(decodeMessages(sp('wamp.2.json'), Buffer.from(json.serialize(hello) as string)), [hello]);
  assert.deepEqual(decodeMessages(sp('wamp.2.msgpack'), Buffer.from(msgpack.serialize(hello) as Uint8Array)), [hello]);
  assert.deepEqual(decodeMessages(sp('wamp.2.cbor'), Buffer.from((await cbor.serialize(hello)) as Uint8Array)), [hello]);
  assert.deepEqual(msgpack.unserialize(encodeMessage(sp('wamp.2.msgpack'), SAMPLE)), SAMPLE);
  assert.deepEqual(cbor.unserialize(encodeMessage(sp('wamp.2.cbor'), SAMPLE)), SAMPLE);
  // autobahn-python's msgpack of [1, "realm1", {}] and CBOR of [2, 1, {}], byte for byte.
  assert.deepEqual(decodeMessages(sp('wamp.2.msgpack'), Buffer.from('9301a67265616c6d3180', 'hex')), [[1, 'realm1', {}]]);
  assert.deepEqual(decodeMessages(sp('wamp.2.cbor'), Buffer.from('830201a0', 'hex')), [[2, 1, {}]]);
});

test('bad payloads throw FRAME_INVALID with a close code, never anything else', () => {
  const json = sp('wamp.2.json');
  assert.throws(() => decodeMessages(json, Buffer.alloc(0)), frameInvalid(1002));
  assert.throws(() => decodeMessages(json, Buffer.from([0x5b, 0x31, 0xff, 0x5d])), frameInvalid(1007));
  assert.throws(() => decodeMessages(json, Buffer.from('{"a":1}')), frameInvalid(1002));
  assert.throws(() => decodeMessages(json, Buffer.from('[]')), frameInvalid(1002));
  assert.throws(() => decodeMessages(json, Buffer.from('["1"]')), frameInvalid(1002));
  assert.throws(() => decodeMessages(json, Buffer.from('[1,')), frameInvalid(1002));
  assert.throws(() => decodeMessages(json, Buffer.from('[1]'), { maxBytes: 2 }), frameInvalid(1009));
  const deep = `[1,${'['.repeat(64)}${']'.repeat(64)}]`;
  assert.throws(() => decodeMessages(json, Buffer.from(deep)), frameInvalid(1002));
  assert.equal(decodeMessages(json, Buffer.from(`[1,${'['.repeat(62)}${']'.repeat(62)}]`)).length, 1);
  assert.throws(() => decodeMessages(sp('wamp.2.json.batched'), Buffer.from('[1]')), frameInvalid());
  assert.throws(() => decodeMessages(sp('wamp.2.json.batched'), Buffer.from('[1]\x18\x18')), frameInvalid());
  assert.throws(() => decodeMessages(sp('wamp.2.msgpack.batched'), Buffer.from('0000000a9301', 'hex')), frameInvalid());
  assert.throws(() => decodeMessages(sp('wamp.2.cbor.batched'), Buffer.from('000000', 'hex')), frameInvalid());
  assert.throws(() => decodeMessages(sp('wamp.2.msgpack'), Buffer.from('9301a17280ff', 'hex')), frameInvalid());
  assert.throws(() => decodeMessages(sp('wamp.2.msgpack'), Buffer.from('dd7fffffff', 'hex')), frameInvalid());
  assert.throws(() => decodeMessages(sp('wamp.2.cbor'), Buffer.from('9b00ffffffffffffff', 'hex')), frameInvalid());
  assert.throws(() => decodeMessages(sp('wamp.2.cbor'), Buffer.concat([Buffer.alloc(100_000, 0x81), Buffer.from([1])])), frameInvalid());
});
