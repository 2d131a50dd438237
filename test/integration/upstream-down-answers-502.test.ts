import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { connectWs } from '../support/ws-client.js';

/** A port that was just free: nothing listens there. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('an admitted upgrade whose upstream is unreachable gets 502 with a clear body, counted upstream_error', async (t) => {
  const port = await closedPort();
  const { wsUrl, httpUrl, adminUrl, gate } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${port}` },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const res = await connectWs(`${wsUrl}/ws?realm=realm1`);
  assert.equal(res.kind, 'refused');
  assert.equal(res.status, 502);
  const body = JSON.parse(res.body!);
  assert.equal(body.error, 'upstream_error');
  assert.match(body.message, /ECONNREFUSED/);
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'upstream_error' }), 1);
  const http = await fetch(`${httpUrl}/x`);
  assert.equal(http.status, 502, 'plain HTTP too');
  assert.equal(((await http.json()) as { error: string }).error, 'upstream_error');
  assert.equal(gate.tunnels.size, 0);
});
