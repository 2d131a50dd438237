import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeView } from '../../src/crossbar/node-view.js';

const W = ['w0', 'w1'];
const polled = (r0: string[] | null, r1: string[] | null) => [
  { id: 'w0', status: r0 === null ? null : 'started', routes: r0 },
  { id: 'w1', status: r1 === null ? null : 'started', routes: r1 },
];

test('down() forgets every worker: nothing known before can make a realm ready again without fresh answers', () => {
  const v = new NodeView([]);
  v.setWorkerIds(W);
  v.online();
  v.applyPoll(polled(['r'], ['r']), v.seqs());
  v.setDiscovered(['r']);
  assert.deepEqual(v.observe(), { realms: { r: true }, partial: [], holdUnknown: false });
  assert.equal(v.settled(), true);
  const epoch = v.epoch;
  assert.equal(v.down('offline'), true);
  assert.notEqual(v.epoch, epoch);
  assert.deepEqual(v.observe(['configured']), { realms: { configured: false, r: false }, partial: [], holdUnknown: true });
  // A route event while the node is not online changes nothing observable.
  assert.equal(v.applyRouteEvent('w0', 'r', true, {}), undefined);
  v.online();
  assert.equal(v.observe().realms.r, false, 'online again, but worker 1 is unknown until polled');
  v.applyPoll(polled([], []), v.seqs());
  assert.deepEqual(v.observe(), { realms: { r: false }, partial: [], holdUnknown: true });
  assert.equal(v.applyRouteEvent('w0', 'r', true, { anonymous: 'c' }), false);
  assert.deepEqual(v.observe().partial, ['r']);
  assert.equal(v.applyRouteEvent('w1', 'r', true, { anonymous: 'c' }), true);
});

test('an event during a poll wins over the poll\'s (older) answer; a restarted worker has no routes', () => {
  const v = new NodeView([]);
  v.setWorkerIds(W);
  v.online();
  v.applyPoll(polled(['r'], ['r']), v.seqs());
  const before = v.seqs();
  v.applyRouteEvent('w1', 'r', false, null);
  assert.equal(v.applyPoll(polled(['r'], ['r']), before), true, 'overtaken');
  assert.equal(v.observe().realms.r, false);
  assert.equal(v.workerRestarted('w0'), true);
  assert.deepEqual(v.workers().find((w) => w.id === 'w0')?.routes, []);
  assert.equal(v.workerRestarted('other'), false);
});

test('holdUnknown: before the first discovery, with no started worker, or a started worker without routes', () => {
  const v = new NodeView([]);
  v.setWorkerIds(W);
  v.online();
  v.applyPoll(polled(['r'], ['r']), v.seqs());
  assert.equal(v.observe().holdUnknown, true, 'not discovered yet');
  v.setDiscovered([]);
  assert.equal(v.observe().holdUnknown, false);
  assert.equal(v.addDiscovered('s'), true);
  assert.equal(v.addDiscovered('s'), false);
  assert.equal(v.observe().holdUnknown, true, 'a discovered realm is not ready');
  v.applyPoll(polled(['r', 's'], []), v.seqs());
  assert.equal(v.observe().holdUnknown, true, 'a started worker without routes');
  v.applyPoll(polled(null, null), v.seqs());
  assert.equal(v.observe().holdUnknown, true, 'no started worker');
});
