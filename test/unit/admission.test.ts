import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, type AdmissionPolicy, type Decision } from '../../src/proxy/admission.js';
import { ManualClock } from '../support/manual-clock.js';

function setup(policy: Partial<AdmissionPolicy> = {}, maxQueuedTotal = 100) {
  const clock = new ManualClock();
  const ready = new Set<string>();
  const full: AdmissionPolicy = { onNotReady: 'queue', queueTimeoutMs: 1000, maxQueued: 10, retryAfterSeconds: 5, releasePerSecond: 0, ...policy };
  const admission = new Admission({ clock, isReady: (r) => ready.has(r), policyFor: () => full, maxQueuedTotal });
  const decisions: [string, Decision][] = [];
  const enter = (id: string, realm = 'r1', opts = {}) => admission.enter(realm, (d) => decisions.push([id, d]), opts);
  return { clock, ready, admission, decisions, enter };
}

test('a ready realm with nobody waiting admits synchronously without holding', () => {
  const s = setup();
  s.ready.add('r1');
  assert.equal(s.enter('a'), undefined);
  assert.deepEqual(s.decisions, [['a', { admitted: true, waitedMs: 0, held: false }]]);
});

test('held clients are released in FIFO order when the realm turns ready', () => {
  const s = setup();
  for (const id of ['a', 'b', 'c']) assert.ok(s.enter(id));
  assert.equal(s.admission.depth('r1'), 3);
  s.clock.advance(40);
  s.ready.add('r1');
  assert.equal(s.admission.release('r1'), 3);
  assert.deepEqual(s.decisions.map(([id, d]) => [id, d.admitted, d.waitedMs, d.held]), [['a', true, 40, true], ['b', true, 40, true], ['c', true, 40, true]]);
  assert.equal(s.admission.depth('r1'), 0);
  assert.equal(s.admission.total, 0);
  assert.equal(s.clock.pending, 0, 'deadline timers are cleared');
});

test('a held client past its deadline is refused with queue_timeout', () => {
  const s = setup({ queueTimeoutMs: 500 });
  s.enter('a');
  s.clock.advance(499);
  assert.equal(s.decisions.length, 0);
  s.clock.advance(1);
  assert.deepEqual(s.decisions, [['a', { admitted: false, reason: 'queue_timeout', waitedMs: 500, held: true }]]);
  assert.equal(s.admission.total, 0);
});

test('per-realm and total caps refuse with queue_full', () => {
  const s = setup({ maxQueued: 2 }, 3);
  s.enter('a'); s.enter('b'); s.enter('c');
  assert.deepEqual(s.decisions.at(-1), ['c', { admitted: false, reason: 'queue_full', waitedMs: 0, held: false }]);
  s.enter('d', 'r2');
  s.enter('e', 'r2');
  assert.deepEqual(s.decisions.at(-1), ['e', { admitted: false, reason: 'queue_full', waitedMs: 0, held: false }], 'total cap of 3');
  assert.equal(s.admission.total, 3);
});

test('cancel removes a hung-up client without a decision and frees its place', () => {
  const s = setup({ maxQueued: 1 });
  const held = s.enter('a')!;
  held.cancel();
  held.cancel();
  assert.equal(s.admission.depth('r1'), 0);
  assert.equal(s.admission.total, 0);
  assert.ok(s.enter('b'), 'the place is free again');
  s.ready.add('r1');
  s.admission.release('r1');
  assert.deepEqual(s.decisions.map(([id]) => id), ['b']);
});

test('reject answers realm_not_ready at once; pass admits at once', () => {
  const r = setup({ onNotReady: 'reject' });
  r.enter('a');
  assert.deepEqual(r.decisions, [['a', { admitted: false, reason: 'realm_not_ready', waitedMs: 0, held: false }]]);
  const p = setup({ onNotReady: 'pass' });
  p.enter('a');
  assert.deepEqual(p.decisions, [['a', { admitted: true, waitedMs: 0, held: false }]]);
});

test('pacing releases releasePerSecond per second in order, and new arrivals queue behind', () => {
  const s = setup({ releasePerSecond: 20, maxQueued: 100 });
  for (let i = 0; i < 10; i++) s.enter(`c${i}`);
  s.ready.add('r1');
  assert.equal(s.admission.release('r1'), 2, 'first batch of 2 (20/s in 100 ms ticks)');
  s.enter('late');
  assert.equal(s.decisions.length, 2, 'a newcomer does not jump the line');
  s.clock.advance(100);
  assert.equal(s.decisions.length, 4);
  s.clock.advance(400);
  assert.deepEqual(s.decisions.map(([id]) => id), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'late']);
});

test('a realm that turns not-ready mid-release keeps the rest held', () => {
  const s = setup({ releasePerSecond: 10 });
  for (let i = 0; i < 5; i++) s.enter(`c${i}`);
  s.ready.add('r1');
  s.admission.release('r1');
  s.ready.delete('r1');
  s.clock.advance(900);
  assert.equal(s.decisions.length, 1);
  assert.equal(s.admission.depth('r1'), 4);
});

test('drain refuses held and later clients with draining', () => {
  const s = setup();
  s.enter('a'); s.enter('b', 'r2');
  assert.equal(s.admission.drain(), 2);
  s.ready.add('r1');
  s.enter('c');
  assert.deepEqual(s.decisions.map(([id, d]) => [id, d.admitted ? 'in' : (d as { reason: string }).reason]), [['a', 'draining'], ['b', 'draining'], ['c', 'draining']]);
});

test('re-admission goes to the head of the line with its original deadline', () => {
  const s = setup({ queueTimeoutMs: 1000 });
  s.enter('b');
  s.clock.advance(100);
  s.enter('a', 'r1', { front: true, enteredAt: s.clock.now() - 300, deadline: s.clock.now() + 200 });
  s.ready.add('r1');
  s.admission.release('r1');
  assert.deepEqual(s.decisions.map(([id, d]) => [id, d.waitedMs]), [['a', 300], ['b', 100]]);
  const t2 = setup({ queueTimeoutMs: 1000 });
  t2.enter('x', 'r1', { front: true, deadline: t2.clock.now() + 50 });
  t2.clock.advance(50);
  assert.deepEqual(t2.decisions.map(([id, d]) => [id, d.admitted]), [['x', false]], 'the original deadline still applies');
});
