// The simulated router's realm logic with fake peers: dealer and broker message flows, in-process
// procedures and their result mapping, clean-up when a callee leaves, and malformed messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/logger.js';
import { RouterRealm, toResult, type RealmPeer } from '../../src/wamp/router-realm.js';
import { topicMatches } from '../../src/wamp/topic-match.js';
import { WampError } from '../../src/wamp/wamp-error.js';

function peer(sessionId: number): RealmPeer & { inbox: unknown[][] } {
  const inbox: unknown[][] = [];
  return { sessionId, inbox, send: (msg) => inbox.push(msg) };
}

function realm(): RouterRealm {
  let id = 100;
  return new RouterRealm('realm1', () => ++id, silentLogger());
}

test('topic matching: exact, prefix, wildcard with empty components', () => {
  assert.ok(topicMatches('a.b', 'exact', 'a.b') && !topicMatches('a.b', 'exact', 'a.b.c'));
  assert.ok(topicMatches('a.', 'prefix', 'a.b.c') && !topicMatches('a.b', 'prefix', 'a.c'));
  assert.ok(topicMatches('a..c', 'wildcard', 'a.b.c') && !topicMatches('a..c', 'wildcard', 'a.b.d') && !topicMatches('a..c', 'wildcard', 'a.b.c.d'));
  assert.ok(topicMatches('crossbarfabriccenter.node..worker..on_proxy_route_started', 'wildcard',
    'crossbarfabriccenter.node.node1.worker.cpw-9fbe067c-0.on_proxy_route_started'));
});

test('toResult: arrays are args, {args, kwargs} is taken as is, anything else is one argument', () => {
  assert.deepEqual(toResult([1, 2]), { args: [1, 2] });
  assert.deepEqual(toResult({ args: [1], kwargs: { a: 1 } }), { args: [1], kwargs: { a: 1 } });
  assert.deepEqual(toResult({ kwargs: { a: 1 } }), { args: [], kwargs: { a: 1 } });
  assert.deepEqual(toResult({ oid: 'x', name: 'n' }), { args: [{ oid: 'x', name: 'n' }] });
  assert.deepEqual(toResult({ args: 'not a list' }), { args: [{ args: 'not a list' }] });
  assert.deepEqual(toResult(undefined), { args: [null] });
  assert.deepEqual(toResult('s'), { args: ['s'] });
});

test('register, call, progressive and final yield, invocation error; callee leaving cancels pending calls', () => {
  const r = realm();
  const callee = peer(1);
  const caller = peer(2);
  r.join(callee);
  r.join(caller);
  assert.ok(r.handle(callee, [64, 1, {}, 'com.add']));
  const [, , regId] = callee.inbox.pop()!;
  assert.ok(r.handle(caller, [64, 9, {}, 'com.add']));
  assert.equal(caller.inbox.pop()![4], 'wamp.error.procedure_already_exists');

  assert.ok(r.handle(caller, [48, 7, {}, 'com.add', [1, 2], { k: 1 }]));
  const inv = callee.inbox.pop()!;
  assert.deepEqual(inv.slice(2), [regId, { caller: 2, procedure: 'com.add' }, [1, 2], { k: 1 }]);
  assert.ok(r.handle(callee, [70, inv[1], { progress: true }, ['half']]));
  assert.ok(r.handle(callee, [70, inv[1], {}, [3]]));
  assert.deepEqual(caller.inbox.splice(0), [[50, 7, { progress: true }, ['half']], [50, 7, {}, [3]]]);

  assert.ok(r.handle(caller, [48, 8, {}, 'com.add', []]));
  const inv2 = callee.inbox.pop()!;
  assert.ok(r.handle(callee, [8, 68, inv2[1], {}, 'com.error.bad', ['no']]));
  assert.deepEqual(caller.inbox.pop(), [8, 48, 8, {}, 'com.error.bad', ['no']]);

  assert.ok(r.handle(caller, [48, 9, {}, 'com.add']));
  r.leave(callee);
  assert.deepEqual(caller.inbox.pop(), [8, 48, 9, {}, 'wamp.error.canceled', ['callee left']]);
  assert.ok(r.handle(caller, [48, 10, {}, 'com.add']));
  assert.equal(caller.inbox.pop()![4], 'wamp.error.no_such_procedure');
});

test('in-process procedures answer RESULT, WampError → ERROR with its URI, other throws → runtime_error', async () => {
  const r = realm();
  const caller = peer(5);
  r.join(caller);
  r.registerLocal('p.ok', async (args, kwargs, details) => ({ args: [args[0], details.caller], kwargs }));
  r.registerLocal('p.app', () => { throw new WampError('crossbar.error.no_such_object', ['gone']); });
  r.registerLocal('p.bug', () => { throw new TypeError('oops'); });
  r.handle(caller, [48, 1, {}, 'p.ok', ['x'], { y: 1 }]);
  r.handle(caller, [48, 2, {}, 'p.app']);
  r.handle(caller, [48, 3, {}, 'p.bug']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(caller.inbox.sort((a, b) => (a[1] as number) - (b[1] as number)), [
    [50, 1, {}, ['x', 5], { y: 1 }],
    [8, 48, 2, {}, 'crossbar.error.no_such_object', ['gone']],
    [8, 48, 3, {}, 'wamp.error.runtime_error', ['oops']],
  ]);
});

test('subscribe, publish (exclude_me, acknowledge), local publish, unsubscribe; malformed messages are refused', () => {
  const r = realm();
  const a = peer(1);
  const b = peer(2);
  r.join(a);
  r.join(b);
  r.handle(a, [32, 1, { match: 'wildcard' }, 'x..z']);
  const subId = a.inbox.pop()![2];
  r.handle(b, [32, 1, {}, 'x.y.z']);
  b.inbox.pop();
  r.handle(a, [16, 2, { acknowledge: true }, 'x.y.z', [1]]);
  assert.equal(a.inbox.pop()![0], 17, 'PUBLISHED to the publisher, no EVENT to itself');
  assert.deepEqual(b.inbox.pop()!.slice(3), [{}, [1]]);
  r.handle(b, [16, 3, { exclude_me: false }, 'x.y.z', [], { k: 2 }]);
  const toSelf = b.inbox.pop()!; // exclude_me:false: the publisher gets its own event too
  const toA = a.inbox.pop()!;
  assert.equal(toA[2], toSelf[2], 'one publication id for all receivers');
  assert.deepEqual(toA.slice(1), [subId, toA[2], { topic: 'x.y.z' }, [], { k: 2 }]);
  r.publishLocal('x.q.z', ['local']);
  assert.deepEqual(a.inbox.pop()!.slice(3), [{ topic: 'x.q.z' }, ['local']]);
  r.handle(a, [34, 4, subId]);
  assert.deepEqual(a.inbox.pop(), [35, 4]);
  r.handle(a, [34, 5, subId]);
  assert.equal(a.inbox.pop()![4], 'wamp.error.no_such_subscription');
  for (const bad of [[48, 'x', {}, 'p'], [16, 1, [], 't'], [32, 1, {}, ''], [99], [8, 48, 1, {}, 'e'], [70, 1, {}, 'not-a-list']]) {
    assert.equal(r.handle(a, bad), false, JSON.stringify(bad));
  }
});
