import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { metricValue, upgradeRequest } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

for (const how of ['end', 'reset'] as const) {
  test(`a held client that hangs up (${how}) leaves the queue at once as client_gone`, async (t) => {
    const upstream = await startEchoUpstream(t);
    const { port, gate, adminUrl } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });
    const sock = net.connect(port, '127.0.0.1');
    t.after(() => sock.destroy());
    sock.on('error', () => {});
    sock.write(upgradeRequest('/ws?realm=realm1'));
    await until(() => gate.admission.depth('realm1') === 1, 'the client to be held');
    if (how === 'end') sock.end();
    else sock.resetAndDestroy();
    await until(() => gate.admission.depth('realm1') === 0, 'the queue to empty');
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'client_gone' }), 1);
    gate.registry.sinkFor('test', 'static').snapshot({ realm1: true });
    assert.equal(upstream.upgrades.length, 0, 'a gone client never reaches the upstream');
  });
}
