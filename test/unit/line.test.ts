import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Line } from '../../src/proxy/line.js';

interface M { id: number; linePos: number }
const member = (id: number): M => ({ id, linePos: -1 });

test('line: first in, first out; a member leaves from anywhere once; a member in another line is not removed', () => {
  const line = new Line<M>();
  const other = new Line<M>();
  const [a, b, c, d] = [member(1), member(2), member(3), member(4)];
  line.push(a);
  line.push(b);
  line.push(c);
  other.push(d);
  assert.equal(line.remove(b), true);
  assert.equal(line.remove(b), false, 'a second remove changes nothing');
  assert.equal(line.remove(d), false, "d is in the other line (its index points at a's place here)");
  assert.deepEqual(line.values().map((m) => m.id), [1, 3]);
  assert.equal(line.shift(), a);
  assert.equal(line.remove(a), false, 'taken by shift(): no longer in the line');
  assert.equal(line.shift(), c);
  assert.equal(line.shift(), undefined);
  assert.deepEqual([line.size, line.places, other.size], [0, 0, 1]);
});

test('line: members that join and leave without ever reaching the head do not grow it past the bound', () => {
  const line = new Line<M>();
  const stay = member(0);
  line.push(stay);
  // The hostile pattern: a client joins a held realm and hangs up, 100,000 times, while the oldest never leaves.
  let maxPlaces = 0;
  for (let i = 1; i <= 100_000; i++) {
    const m = member(i);
    line.push(m);
    line.remove(m);
    maxPlaces = Math.max(maxPlaces, line.places);
  }
  assert.ok(maxPlaces <= 1026, `at most members + 1024 left places (was ${maxPlaces})`);
  assert.deepEqual([line.size, line.values()], [1, [stay]]);
  // Rebuilt with new indexes: the members still leave and come out in order.
  const later = [member(-1), member(-2)];
  for (const m of later) line.push(m);
  assert.equal(line.remove(later[0]!), true);
  assert.deepEqual([line.shift(), line.shift(), line.shift()], [stay, later[1], undefined]);
});

test('line: with many members waiting, the places left stay under twice the members', () => {
  const line = new Line<M>();
  const ms = Array.from({ length: 10_000 }, (_, i) => member(i));
  for (const m of ms) line.push(m);
  // Every other one leaves (hang-ups spread through the line).
  for (let i = 0; i < ms.length; i += 2) line.remove(ms[i]!);
  assert.equal(line.size, 5000);
  assert.ok(line.places <= 2 * line.size + 1, `places ${line.places} for ${line.size} members`);
  assert.deepEqual(line.values().slice(0, 3).map((m) => m.id), [1, 3, 5]);
  for (let i = 1; i < ms.length; i += 2) assert.equal(line.shift(), ms[i]);
  assert.deepEqual([line.size, line.places], [0, 0]);
});
