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

test('an admitted upgrade whose upstream stays unreachable is retried until its deadline, then 503 upstream_unavailable; no upstream address reaches the client', async (t) => {
  const port = await closedPort();
  const { wsUrl, httpUrl, adminUrl, gate } = await startGate(t, {
    upstream: { url: `http://user:secret@127.0.0.1:${port}` },
    realms: [{ name: 'realm1', queueTimeoutMs: 400 }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const res = await connectWs(`${wsUrl}/ws?realm=realm1`);
  assert.equal(res.kind, 'refused');
  assert.equal(res.status, 503);
  assert.equal(res.headers!['retry-after'], '5');
  assert.equal(res.headers!['x-realmgate-reason'], 'upstream_unavailable');
  const body = JSON.parse(res.body!);
  assert.equal(body.error, 'upstream_unavailable');
  assert.equal(body.message, 'the router for realm "realm1" could not be reached - please retry connection');
  assert.doesNotMatch(res.body!, new RegExp(`${port}|127\\.0\\.0\\.1|secret|ECONNREFUSED`));
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'upstream_error' }), 1);
  assert.ok(metricValue(metrics, 'realmgate_upstream_retries_total', { realm: 'realm1' })! >= 3, 'retried with growing delays');
  const http = await fetch(`${httpUrl}/x`);
  assert.equal(http.status, 502, 'plain HTTP too');
  const text = await http.text();
  assert.equal((JSON.parse(text) as { error: string }).error, 'upstream_error');
  assert.doesNotMatch(text, new RegExp(`${port}|127\\.0\\.0\\.1|secret`));
  assert.equal(gate.tunnels.size, 0);
});
