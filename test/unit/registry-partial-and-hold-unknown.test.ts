import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { RealmRegistry, type PartialChange } from '../../src/realms/registry.js';
import { ManualClock } from '../support/manual-clock.js';

function setup() {
  const config = parseConfig(JSON.stringify({
    upstream: { url: 'http://127.0.0.1:1' },
    realms: [{ name: 'r1' }],
    readiness: { staleAfterMs: 1000, sources: [{ type: 'static' }] },
  }), { env: {} });
  const clock = new ManualClock();
  const registry = new RealmRegistry({ config, clock });
  const partial: PartialChange[] = [];
  const holds: boolean[] = [];
  registry.on('partial', (p) => partial.push(p));
  registry.on('hold-unknown', (h) => holds.push(h));
  return { clock, registry, partial, holds };
}

test('isPartial: not ready and some up, fresh source reports it partial; one event per change; cleared by ready', () => {
  const { clock, registry, partial } = setup();
  const sink = registry.sinkFor('crossbar', 'crossbar');
  registry.start();
  sink.partial!(['r1']);
  assert.equal(registry.isPartial('r1'), false, 'a source that never answered is not trusted');
  sink.snapshot({ r1: false });
  assert.equal(registry.isPartial('r1'), true);
  sink.snapshot({ r1: false });
  assert.deepEqual(partial, [{ realm: 'r1', partial: true }], 'no repeat without a change');
  assert.match(registry.explain('r1'), /partly routed/);
  assert.equal(registry.get('r1')!.partial, true);
  sink.partial!([]);
  sink.snapshot({ r1: true });
  assert.equal(registry.isPartial('r1'), false);
  assert.deepEqual(partial.at(-1), { realm: 'r1', partial: false });
  // A stale source's hint is not acted on.
  sink.partial!(['r1']);
  sink.snapshot({ r1: false });
  assert.equal(registry.isPartial('r1'), true);
  clock.advance(1500);
  assert.equal(registry.isPartial('r1'), false);
  registry.close();
});

test('holdUnknown: true while any source asks for it; an event per change', () => {
  const { registry, holds } = setup();
  const a = registry.sinkFor('a', 'crossbar');
  const b = registry.sinkFor('b', 'crossbar');
  assert.equal(registry.holdUnknown(), false);
  a.holdUnknown!(true);
  b.holdUnknown!(true);
  a.holdUnknown!(false);
  assert.equal(registry.holdUnknown(), true);
  b.holdUnknown!(false);
  assert.equal(registry.holdUnknown(), false);
  assert.deepEqual(holds, [true, false]);
  registry.close();
});
