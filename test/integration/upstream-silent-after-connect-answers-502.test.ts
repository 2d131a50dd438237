import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { connectWs } from '../support/ws-client.js';

test('an upstream that accepts TCP but never answers the upgrade: the client gets 502 after connectTimeoutMs, not silence', async (t) => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const { wsUrl, adminUrl, gate } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, connectTimeoutMs: 200 },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const res = await connectWs(`${wsUrl}/ws?realm=realm1`);
  assert.equal(res.kind, 'refused');
  assert.equal(res.status, 502);
  assert.equal(res.headers!['x-realmgate-reason'], 'upstream_error');
  assert.match(JSON.parse(res.body!).message, /the upstream did not answer the upgrade - please retry connection/);
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'upstream_error' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'forwarded' }), undefined, 'not counted forwarded');
  assert.equal(gate.tunnels.size + gate.tunnels.connecting, 0);
});
