import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, type AdmissionPolicy, type Decision } from '../../src/proxy/admission.js';
import { ManualClock } from '../support/manual-clock.js';

function setup() {
  const clock = new ManualClock();
  const ready = new Set<string>();
  const partial = new Set<string>();
  const policy: AdmissionPolicy = { onNotReady: 'queue', queueTimeoutMs: 1000, maxQueued: 10, retryAfterSeconds: 5, releasePerSecond: 0 };
  const admission = new Admission({ clock, isReady: (r) => ready.has(r), isPartial: (r) => partial.has(r), policyFor: () => policy, maxQueuedTotal: 100 });
  const decisions: [string, Decision][] = [];
  const enter = (id: string, readmittable: boolean) => admission.enter('r1', (d) => decisions.push([id, d]), { readmittable });
  return { clock, ready, partial, admission, decisions, enter };
}

test('partly routed: re-admittable clients are admitted (held ones released in order), the others keep waiting for ready', () => {
  const s = setup();
  assert.ok(s.enter('upgrade-1', false));
  assert.ok(s.enter('hello-1', true));
  assert.ok(s.enter('upgrade-2', false));
  assert.ok(s.enter('hello-2', true));
  s.clock.advance(30);
  s.partial.add('r1');
  assert.equal(s.admission.releaseReadmittable('r1'), 2);
  assert.deepEqual(s.decisions.map(([id, d]) => [id, d.admitted, d.held, d.waitedMs]), [['hello-1', true, true, 30], ['hello-2', true, true, 30]]);
  assert.equal(s.admission.depth('r1'), 2, 'upgrade-time clients stay held');
  // A new re-admittable client is admitted at once, even with others queued ahead (they cannot go anyway).
  assert.equal(s.enter('hello-3', true), undefined);
  assert.deepEqual(s.decisions.at(-1), ['hello-3', { admitted: true, waitedMs: 0, held: false }]);
  assert.ok(s.enter('upgrade-3', false), 'an upgrade-time client is held while partial');
  s.ready.add('r1');
  s.partial.delete('r1');
  assert.equal(s.admission.release('r1'), 3);
  assert.equal(s.admission.depth('r1'), 0);
});

test('not partial (rule hold, or realm unrouted): re-admittable clients are held like everyone else', () => {
  const s = setup();
  assert.ok(s.enter('hello-1', true));
  assert.equal(s.admission.releaseReadmittable('r1'), 0);
  assert.equal(s.decisions.length, 0);
  s.clock.advance(1000);
  assert.deepEqual(s.decisions.map(([id, d]) => [id, d.admitted]), [['hello-1', false]]);
});
