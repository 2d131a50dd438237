import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { autobahnJoin, JoinRefused } from '../support/wamp-clients.js';

const N = 12;

/** Two proxy workers share the port; only worker 0 has routes, so every second connection is refused. */
async function setup(t: import('node:test').TestContext, readmitOnAbort: boolean) {
  const proxy = new SimulatedProxyTransport({ workers: 2 });
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  proxy.startRoute('realm1', 0);
  const gate = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
    hello: { readmitOnAbort },
    // Every source says ready: the readiness signal is wrong for worker 1.
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  return { proxy, gate };
}

async function joinAll(url: string) {
  const results = await Promise.allSettled(Array.from({ length: N }, () => autobahnJoin(url, 'realm1')));
  for (const r of results) if (r.status === 'fulfilled') r.value.close();
  return {
    joined: results.filter((r) => r.status === 'fulfilled').length,
    noSuchRealm: results.filter((r) => r.status === 'rejected' && (r.reason as JoinRefused).reason === 'wamp.error.no_such_realm').length,
  };
}

test('with readmitOnAbort, no client ever sees the upstream no_such_realm: all join', async (t) => {
  const { proxy, gate } = await setup(t, true);
  const { joined, noSuchRealm } = await joinAll(`${gate.wsUrl}/ws`);
  assert.equal(noSuchRealm, 0);
  assert.equal(joined, N);
  assert.ok(proxy.stats().refusals > 0, 'the upstream did refuse some connections');
  const metrics = await (await fetch(`${gate.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_readmissions_total', { realm: 'realm1' }), proxy.stats().refusals);
  assert.ok(gate.logs.some((l) => /re-queued/.test(l.msg) && l.realm === 'realm1'));
  assert.ok(gate.logs.some((l) => /hidden no_such_realm/.test(l.msg) && l.worker === 'cpw-9fbe067c-0'), 'names the worker from WELCOME');
});

test('without readmitOnAbort, the same race reaches clients (so the feature is what hides it)', async (t) => {
  const { proxy, gate } = await setup(t, false);
  const { joined, noSuchRealm } = await joinAll(`${gate.wsUrl}/ws`);
  assert.ok(noSuchRealm > 0, `some clients see no_such_realm (got ${noSuchRealm})`);
  assert.equal(joined + noSuchRealm, N);
  assert.equal(noSuchRealm, proxy.stats().refusals);
});

test('the upstream ABORT for a realm the gate does not guard (unknownRealm: pass) reaches the client unchanged', async (t) => {
  const proxy = new SimulatedProxyTransport({ workers: 1 });
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  const { wsUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    unknownRealm: 'pass',
    realmFrom: ['hello'],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  // An unknown realm passes straight through; the upstream refuses it — that ABORT reaches the client as is.
  await assert.rejects(autobahnJoin(`${wsUrl}/ws`, 'other'), (err: JoinRefused) => {
    assert.equal(err.reason, 'wamp.error.no_such_realm');
    assert.match(String(err.detail), /no realm "other" exists on this router/);
    return true;
  });
});
