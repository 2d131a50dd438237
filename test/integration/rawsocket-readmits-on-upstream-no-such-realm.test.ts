import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { autobahnRawSocketJoin } from '../support/rawsocket-clients.js';

const N = 10;

/** Two proxy workers share the port; only worker 0 has routes, so every second upstream connection is refused. */
for (const readmitOnAbort of [true, false]) {
  test(`RawSocket, readmitOnAbort ${readmitOnAbort}: the upstream's no_such_realm is ${readmitOnAbort ? 'hidden and the client re-queued' : 'passed to the client'}`, async (t) => {
    const proxy = new SimulatedProxyTransport({ workers: 2 });
    t.after(() => proxy.destroy());
    const upstream = await proxy.listen();
    proxy.startRoute('realm1', 0);
    const gate = await startGate(t, {
      upstream: { url: upstream.url },
      realms: [{ name: 'realm1' }],
      hello: { readmitOnAbort },
      // The readiness signal is wrong for worker 1.
      readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    });
    const results = await Promise.all(Array.from({ length: N }, () => autobahnRawSocketJoin(gate.port, 'realm1')));
    for (const r of results) if (r.kind === 'joined') t.after(r.close);
    const joined = results.filter((r) => r.kind === 'joined').length;
    const refused = results.filter((r) => r.kind === 'refused' && r.reason === 'wamp.error.no_such_realm').length;
    assert.ok(proxy.stats().refusals > 0, 'the upstream did refuse some connections');
    if (readmitOnAbort) {
      assert.equal(refused, 0, 'no RawSocket client saw the upstream refusal');
      assert.equal(joined, N);
      const metrics = await (await fetch(`${gate.adminUrl}/metrics`)).text();
      assert.equal(metricValue(metrics, 'realmgate_readmissions_total', { realm: 'realm1' }), proxy.stats().refusals);
      const afterWait = metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'forwarded_after_wait' }) ?? 0;
      const direct = metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'forwarded' }) ?? 0;
      assert.ok(afterWait >= 1 && afterWait <= proxy.stats().refusals, `a re-admitted client counts as forwarded after a wait (${afterWait})`);
      assert.equal(afterWait + direct, N, 'one outcome per client');
      assert.ok(gate.logs.some((l) => /hidden no_such_realm/.test(l.msg) && l.worker === 'cpw-9fbe067c-0'), 'names the worker from WELCOME');
    } else {
      assert.equal(refused, proxy.stats().refusals, 'each upstream refusal reached its client unchanged');
      assert.equal(joined + refused, N);
    }
  });
}
