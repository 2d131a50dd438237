// decodeHello accepts exactly the HELLOs the gate can route; the gate's ABORT has the exact
// shape clients written for Crossbar retry on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import { decodeFirstMessage, decodeHello, isValidRealm } from '../../src/wamp/hello.js';
import { encodeAbort, isNoSuchRealmAbort, notReadyAbort } from '../../src/wamp/abort.js';
import { encodeMessage, parseSubprotocol, SUPPORTED_SUBPROTOCOLS } from '../../src/wamp/serializers.js';

const json = parseSubprotocol('wamp.2.json')!;

test('decodeHello reads realm and details in every subprotocol, first message of a batch', () => {
  const details = { roles: { caller: {} }, authid: 'joe', authextra: { pubkey: 'ab'.repeat(32) } };
  for (const name of SUPPORTED_SUBPROTOCOLS) {
    const sp = parseSubprotocol(name)!;
    let payload = encodeMessage(sp, [1, 'com.example.realm-1', details]);
    if (sp.batched) payload = Buffer.concat([payload, encodeMessage(sp, [6, {}, 'x'])]);
    assert.deepEqual(decodeHello(sp, payload), { realm: 'com.example.realm-1', details }, name);
  }
});

test('decodeHello refuses what the gate cannot route with HELLO_INVALID', () => {
  const cases: unknown[][] = [
    [2, 'realm1', {}],
    [1, null, {}],
    [1, '', {}],
    [1, 'realm 1', {}],
    [1, 'realm\t1', {}],
    [1, 'realm#1', {}],
    [1, 'a..b', {}],
    [1, '.a', {}],
    [1, 'a.', {}],
    [1, 'r'.repeat(256), {}],
    [1, 42, {}],
    [1, 'realm1', []],
    [1, 'realm1', null],
    [1, 'realm1'],
    [1, 'realm1', {}, {}],
  ];
  for (const msg of cases) {
    assert.throws(() => decodeHello(json, Buffer.from(JSON.stringify(msg))), (err: unknown) => {
      assert.ok(isRealmgateError(err, ErrorCodes.HELLO_INVALID), `${JSON.stringify(msg)}: ${String(err)}`);
      assert.equal(typeof err.details?.['reason'], 'string');
      return true;
    });
  }
  assert.equal(decodeHello(json, Buffer.from(JSON.stringify([1, 'r'.repeat(255), {}]))).realm.length, 255);
  assert.ok(isValidRealm('realm1') && isValidRealm('com.crossbario.fabric') && isValidRealm('ünïcode.realm'));
  assert.throws(() => decodeHello(json, Buffer.from('not json')), (err: unknown) => isRealmgateError(err, ErrorCodes.FRAME_INVALID));
});

test('notReadyAbort is byte-exact JSON and decodes the same in every serializer', () => {
  const expected = '[3,{"message":"realm \\"realm1\\" is not ready yet - proxy routes may still be initializing, please retry connection","retry_after":5},"wamp.error.no_such_realm"]';
  assert.equal(notReadyAbort(json, 'realm1', 5).toString('utf8'), expected);
  for (const name of SUPPORTED_SUBPROTOCOLS) {
    const sp = parseSubprotocol(name)!;
    const msg = decodeFirstMessage(sp, notReadyAbort(sp, 'realm1', 5));
    assert.deepEqual(msg, JSON.parse(expected), name);
    assert.ok(isNoSuchRealmAbort(msg));
  }
  assert.equal(notReadyAbort(parseSubprotocol('wamp.2.json.batched')!, 'r', 1).at(-1), 0x18);
});

test('isNoSuchRealmAbort recognises Crossbar\'s refusal only', () => {
  assert.ok(isNoSuchRealmAbort([3, { message: 'no realm "r" exists on this router' }, 'wamp.error.no_such_realm']));
  assert.ok(!isNoSuchRealmAbort([3, {}, 'wamp.error.not_authorized']));
  assert.ok(!isNoSuchRealmAbort([2, 1, {}]));
  assert.ok(!isNoSuchRealmAbort([3, {}]));
  assert.deepEqual(JSON.parse(encodeAbort(json, 'wamp.error.no_such_role', { message: 'm' }).toString()), [3, { message: 'm' }, 'wamp.error.no_such_role']);
});
