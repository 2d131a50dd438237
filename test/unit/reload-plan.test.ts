import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { changedKeys, createReloadTrigger, planSources, restartOnlyChanges } from '../../src/lifecycle/reload.js';

const base = {
  listen: { host: '127.0.0.1', port: 8080 },
  upstream: { url: 'http://127.0.0.1:8081' },
  realms: [{ name: 'realm1' }],
  readiness: { sources: [{ type: 'static', ready: ['realm1'] }, { type: 'http', url: 'http://cp/realms' }] },
};
const cfg = (over: object) => parseConfig(JSON.stringify({ ...base, ...over }), { env: {} });

test('reload: listener, upstream, hello on/off and maxQueuedTotal need a restart; realms, policies, sources and log do not', () => {
  const prev = cfg({});
  assert.deepEqual(restartOnlyChanges(prev, cfg({ realms: [{ name: 'realm1', onNotReady: 'reject' }, { name: 'r2' }], log: { level: 'debug', access: 'all' } })), []);
  assert.deepEqual(restartOnlyChanges(prev, cfg({ listen: { host: '127.0.0.1', port: 8081 } })), ['listen.port']);
  assert.deepEqual(restartOnlyChanges(prev, cfg({ listen: { host: '0.0.0.0', port: 8080, tls: { certFile: 'a', keyFile: 'b' } } })), ['listen.host', 'listen.tls (on/off)']);
  assert.deepEqual(restartOnlyChanges(prev, cfg({ upstream: { url: 'https://x' } })), ['upstream']);
  assert.deepEqual(restartOnlyChanges(prev, cfg({ realmFrom: ['path'] })), ['realmFrom (hello)']);
  assert.deepEqual(restartOnlyChanges(prev, cfg({ realmFrom: ['query', 'hello'] })), [], 'the order without hello on/off is applied in place');
  assert.deepEqual(changedKeys(prev, cfg({ log: { level: 'debug' } })), ['log']);
});

test('reload: sources are kept, replaced, added and removed by resolved name', () => {
  const prev = cfg({}).readiness.sources;
  const next = cfg({ readiness: { sources: [{ type: 'static', ready: ['realm1', 'r2'] }, { type: 'http', url: 'http://cp/realms' }, { type: 'http', url: 'http://cp2/' }] } }).readiness.sources;
  assert.deepEqual(planSources(prev, next, false), { keep: ['http'], replace: ['static'], add: ['http#2'], remove: [] });
  assert.deepEqual(planSources(next, prev, false), { keep: ['http'], replace: ['static'], add: [], remove: ['http#2'] });
  assert.deepEqual(planSources(prev, prev, false).keep, ['static', 'http']);
});

test('reload trigger: signals during a reload coalesce into exactly one more run', async () => {
  let runs = 0;
  let release: () => void = () => {};
  const trigger = createReloadTrigger(() => {
    runs++;
    return new Promise<void>((r) => (release = r));
  });
  trigger();
  trigger();
  trigger();
  assert.equal(runs, 1);
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2);
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2);
});
