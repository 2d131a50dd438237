import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldResult, probeUrl } from '../../src/readiness/probe-source.js';
import { classifyReply, probeHello } from '../../src/crossbar/hello-probe.js';

const fresh = () => ({ reported: undefined as boolean | undefined, candidate: undefined as boolean | undefined, streak: 0, last: undefined });

test('first observation "not ready" is reported at once; "ready" needs the streak', () => {
  const a = fresh();
  assert.equal(foldResult(a, false, 3), false);
  assert.equal(a.reported, false);
  const b = fresh();
  assert.equal(foldResult(b, true, 2), false);
  assert.equal(b.reported, undefined);
  assert.equal(foldResult(b, true, 2), true);
});

test('alternating results (one of two workers routed) never flip with consecutive=2', () => {
  const s = fresh();
  const seen = [true, false, true, false, true, false, true, false].map((r) => foldResult(s, r, 2));
  assert.deepEqual(seen, Array(8).fill(false));
  // Two in a row flip it, and back again needs two in a row too.
  assert.equal(foldResult(s, true, 2), false);
  assert.equal(foldResult(s, true, 2), true);
  assert.equal(foldResult(s, false, 2), true);
  assert.equal(foldResult(s, true, 2), true, 'streak broken');
  assert.equal(foldResult(s, false, 2), true);
  assert.equal(foldResult(s, false, 2), false);
});

test('consecutive=1 follows every result', () => {
  const s = fresh();
  assert.deepEqual([true, false, true].map((r) => foldResult(s, r, 1)), [true, false, true]);
});

test('replies are classified as crossbar-facts §5 says', () => {
  assert.deepEqual(classifyReply([3, { message: 'no realm "r" exists on this router' }, 'wamp.error.no_such_realm']), { ready: false, reason: 'abort wamp.error.no_such_realm' });
  assert.equal(classifyReply([3, {}, 'wamp.error.not_authorized']).ready, true);
  assert.equal(classifyReply([3, {}, 'wamp.error.no_such_role']).ready, true);
  assert.equal(classifyReply([2, 123, {}]).ready, true);
  assert.equal(classifyReply([4, 'ticket', {}]).ready, true);
  assert.equal(classifyReply([36, 1, 2, {}]).ready, false);
  assert.equal(classifyReply(undefined).ready, false);
  assert.deepEqual(probeHello('r'), [1, 'r', { roles: { subscriber: {}, publisher: {}, caller: {}, callee: {} }, authmethods: ['anonymous'] }]);
});

test('probe URL: explicit, or the upstream origin as ws(s) with the path', () => {
  assert.equal(probeUrl({ url: 'ws://x:1/a', path: '/ws' }, 'http://u:2'), 'ws://x:1/a');
  assert.equal(probeUrl({ url: undefined, path: '/ws' }, 'http://127.0.0.1:8081'), 'ws://127.0.0.1:8081/ws');
  assert.equal(probeUrl({ url: undefined, path: '/wamp' }, 'https://h:8443/base?q=1'), 'wss://h:8443/wamp');
});
