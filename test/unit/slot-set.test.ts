import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlotSet } from '../../src/proxy/slot-set.js';
import { PendingClients, type PendingClient } from '../../src/proxy/gate-context.js';

test('slot set: a freed slot is reused, delete is idempotent and never removes a later member of the same slot', () => {
  const set = new SlotSet<{ id: string }>();
  const a = { id: 'a' }, b = { id: 'b' }, c = { id: 'c' };
  const sa = set.add(a, 10);
  const sb = set.add(b, 20);
  assert.deepEqual([sa, sb, set.size], [0, 1, 2]);
  assert.equal(set.delete(sa, a), true);
  assert.equal(set.delete(sa, a), false, 'a second delete changes nothing');
  assert.equal(set.has(sa, a), false);
  const sc = set.add(c, 30);
  assert.equal(sc, sa, 'the freed slot is taken again: the arrays grow only to the most members at once');
  assert.equal(set.delete(sa, a), false, "a's stale slot now holds c: c stays");
  assert.equal(set.delete(-1, c), false, 'never added (-1) is a no-op');
  assert.deepEqual(set.values().map((m) => m.id).sort(), ['b', 'c']);
  const seen: string[] = [];
  set.forEach((m, stamp, slot) => seen.push(`${m.id}@${slot}:${stamp}`));
  assert.deepEqual(seen.sort(), ['b@1:20', 'c@0:30']);
  assert.equal(set.size, 2);
});

test('slot set: forEach may delete members as it goes; a set emptied past 1024 slots starts over small', () => {
  const set = new SlotSet<{ n: number }>();
  const members = Array.from({ length: 1500 }, (_, n) => ({ n }));
  const slots = members.map((m) => set.add(m, m.n));
  // The sweeper's pattern: delete the old ones while iterating.
  set.forEach((m, stamp, slot) => {
    if (stamp < 1000) set.delete(slot, m);
  });
  assert.equal(set.size, 500);
  set.forEach((m, _stamp, slot) => set.delete(slot, m));
  assert.equal(set.size, 0);
  // Emptied past 1024 slots: the arrays were given back, so the next member gets slot 0 again and
  // the stale slots of the old members match nothing.
  const x = { n: -1 };
  assert.equal(set.add(x), 0);
  assert.equal(set.delete(slots[0]!, members[0]!), false);
  assert.equal(set.has(0, x), true);
  set.clear();
  assert.deepEqual([set.size, set.values(), set.has(0, x)], [0, [], false]);
});

test('pending clients: add and delete are idempotent and keep each client\'s slot on it', () => {
  const pending = new PendingClients();
  const client = (): PendingClient => ({ drain: () => true, destroy: () => {}, pendingSlot: -1 });
  const a = client(), b = client();
  pending.add(a);
  pending.add(a);
  pending.add(b);
  assert.equal(pending.size, 2, 'a second add() of a member does not count it twice');
  pending.delete(a);
  assert.equal(a.pendingSlot, -1);
  pending.delete(a);
  assert.equal(pending.size, 1);
  assert.deepEqual(pending.values(), [b]);
  pending.delete(b);
  assert.deepEqual([pending.size, pending.values()], [0, []]);
});
