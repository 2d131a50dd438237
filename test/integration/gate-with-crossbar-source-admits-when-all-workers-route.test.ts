import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { startMaster, WORKERS } from '../support/master-fixture.js';
import { until } from '../support/wait.js';
import { autobahnJoin } from '../support/wamp-clients.js';

test('the gate with the crossbar source: held HELLO clients are admitted when both workers route, not one; re-gated when routes stop', async (t) => {
  const { master, key, url } = await startMaster(t);
  // The proxy transport and the master agree on routes: the master is the truth.
  const proxy = new SimulatedProxyTransport({
    workers: 2,
    hasRoute: (realm, i) => master.routes('node1', WORKERS[i]!).includes(realm),
  });
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  const envName = `RG_TEST_KEY_${process.pid}`;
  process.env[envName] = key.seedHex;
  t.after(() => delete process.env[envName]);
  const { gate, wsUrl, adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
    readiness: {
      partial: 'hold', // this test is about the all-workers rule; readmit has its own scenario test
      sources: [{ type: 'crossbar', url, authid: 'realmgate', privateKeyEnv: envName, node: 'node1', webcluster: 'cluster1', pollIntervalMs: 60_000 }],
    },
  });
  await until(() => gate.registry.sources()[0]!.up, 'the crossbar source to connect');

  const joining = Array.from({ length: 4 }, () => autobahnJoin(`${wsUrl}/ws`, 'realm1'));
  await until(() => gate.admission.depth('realm1') === 4, 'four held');
  master.startRoute('node1', WORKERS[0], 'realm1');
  // The route event arrives and is processed; one of two workers routed is not enough.
  await until(() => (gate.registry.sources()[0]!.detail.workers as { routes: string[] }[] | undefined)?.[0]?.routes?.includes('realm1'), 'worker 0 route seen');
  assert.equal(gate.admission.depth('realm1'), 4, 'still held with one of two workers routed');
  assert.equal(proxy.stats().connections, 0);

  master.startRoute('node1', WORKERS[1], 'realm1');
  const joined = await Promise.all(joining);
  for (const j of joined) j.close();
  assert.equal(proxy.stats().refusals, 0, 'no client ever reached a worker without the route');

  master.stopRoute('node1', WORKERS[1], 'realm1');
  await until(() => !gate.registry.isReady('realm1'), 're-gated after a route stopped (event path, the poll is 60 s)');
  const ready = await fetch(`${adminUrl}/health/ready`);
  assert.equal(ready.status, 503);
});

test('the gate with the crossbar source: a wrong key shows the source down with an auth reason; readiness stays 503', async (t) => {
  const { url } = await startMaster(t);
  const envName = `RG_TEST_WRONG_${process.pid}`;
  process.env[envName] = '11'.repeat(32);
  t.after(() => delete process.env[envName]);
  const { adminUrl, logs } = await startGate(t, {
    upstream: { url: 'http://127.0.0.1:1' },
    realms: [{ name: 'realm1' }],
    readiness: {
      sources: [{ type: 'crossbar', url, authid: 'realmgate', privateKeyEnv: envName, node: 'node1', webcluster: 'cluster1', reconnect: { initialDelayMs: 50, maxDelayMs: 100 } }],
    },
  });
  const status = await until(async () => {
    const s = (await (await fetch(`${adminUrl}/status`)).json()) as { sources: { up: boolean; lastError: string | null }[] };
    return s.sources[0]!.lastError ? s : undefined;
  }, 'a source error');
  assert.equal(status.sources[0]!.up, false);
  assert.match(status.sources[0]!.lastError!, /not_authorized|auth/i);
  assert.equal((await fetch(`${adminUrl}/health/ready`)).status, 503);
  assert.ok(logs.some((l) => l.msg === 'readiness source "crossbar" failed'));
  assert.ok(!JSON.stringify(logs).includes('11'.repeat(32)), 'the key never reaches the logs');
});
