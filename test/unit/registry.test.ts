import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { RealmRegistry, type RealmChange } from '../../src/realms/registry.js';
import { ManualClock } from '../support/manual-clock.js';

function setup(readiness: Partial<ConfigInput['readiness']> = {}) {
  const config = parseConfig(JSON.stringify({
    upstream: { url: 'http://127.0.0.1:1' },
    realms: [{ name: 'r1' }, { name: 'r2', required: false }],
    readiness: { sources: [{ type: 'static' }], ...readiness },
  }), { env: {} });
  const clock = new ManualClock();
  const registry = new RealmRegistry({ config, clock });
  const changes: RealmChange[] = [];
  registry.on('change', (c) => changes.push(c));
  return { clock, registry, changes };
}

test('combine all: ready only when every source says ready', () => {
  const { registry, changes } = setup();
  const a = registry.sinkFor('a', 'http');
  const b = registry.sinkFor('b', 'http');
  registry.start();
  a.snapshot({ r1: true });
  assert.equal(registry.isReady('r1'), false);
  b.snapshot({ r1: true });
  assert.equal(registry.isReady('r1'), true);
  assert.equal(registry.get('r1')!.source, 'b');
  b.update({ r1: false });
  assert.equal(registry.isReady('r1'), false);
  assert.deepEqual(changes.map((c) => [c.realm, c.ready]), [['r1', true], ['r1', false]]);
});

test('combine any: one source saying ready is enough', () => {
  const { registry } = setup({ combine: 'any' });
  const a = registry.sinkFor('a', 'http');
  registry.sinkFor('b', 'http').fail(new Error('down'));
  a.snapshot({ r1: true });
  assert.equal(registry.isReady('r1'), true);
});

test('a realm missing from a snapshot becomes unknown = not ready', () => {
  const { registry } = setup();
  const a = registry.sinkFor('a', 'http');
  a.snapshot({ r1: true });
  a.snapshot({});
  assert.equal(registry.isReady('r1'), false);
});

test('onStale keep: a failing source keeps its last known state', () => {
  const { registry, clock } = setup({ staleAfterMs: 1000, onStale: 'keep' });
  const a = registry.sinkFor('a', 'http');
  registry.start();
  a.snapshot({ r1: true });
  a.fail(new Error('timeout'));
  clock.advance(5000);
  assert.equal(registry.isReady('r1'), true);
  assert.equal(registry.sources()[0]!.up, false);
  assert.equal(registry.sources()[0]!.stale, true);
  assert.equal(registry.sources()[0]!.lastError, 'timeout');
});

test('onStale notReady: a source silent past staleAfterMs stops counting as ready', () => {
  const { registry, clock, changes } = setup({ staleAfterMs: 1000, onStale: 'notReady' });
  const a = registry.sinkFor('a', 'http');
  registry.start();
  a.snapshot({ r1: true });
  clock.advance(900);
  assert.equal(registry.isReady('r1'), true);
  clock.advance(400);
  assert.equal(registry.isReady('r1'), false);
  a.snapshot({ r1: true });
  assert.equal(registry.isReady('r1'), true);
  assert.deepEqual(changes.map((c) => c.ready), [true, false, true]);
});

test('failOpenAfterMs: a never-ready realm is admitted after the timeout and stays so', () => {
  const { registry, clock } = setup({ failOpenAfterMs: 2000 });
  registry.sinkFor('a', 'http').snapshot({ r1: false });
  registry.start();
  clock.advance(1999);
  assert.equal(registry.isReady('r1'), false);
  clock.advance(200);
  assert.equal(registry.isReady('r1'), true);
  assert.equal(registry.get('r1')!.source, 'fail-open');
  clock.advance(5000);
  assert.equal(registry.isReady('r1'), true, 'fail-open does not flap');
});

test('failOpenAfterMs does not apply to a realm that was ready before', () => {
  const { registry, clock } = setup({ failOpenAfterMs: 1000 });
  const a = registry.sinkFor('a', 'http');
  registry.start();
  a.snapshot({ r1: true });
  a.snapshot({ r1: false });
  clock.advance(5000);
  assert.equal(registry.isReady('r1'), false);
});

test('discovered realms are guarded; unknown realms are not', () => {
  const { registry } = setup();
  const a = registry.sinkFor('a', 'crossbar');
  assert.equal(registry.isKnown('app1'), false);
  a.discover(['app1']);
  assert.equal(registry.isKnown('app1'), true);
  assert.equal(registry.get('app1')!.configured, false);
  a.snapshot({ app1: true });
  assert.equal(registry.isReady('app1'), true);
});
