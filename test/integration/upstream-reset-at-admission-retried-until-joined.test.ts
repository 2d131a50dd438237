import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WebSocket } from 'ws';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { connectWs } from '../support/ws-client.js';

/**
 * In front of a real upstream: the first `resets` connections are closed as soon as the request
 * arrives (a proxy worker restarting, a full backlog), later ones are passed through.
 */
async function flakyFront(t: import('node:test').TestContext, targetPort: number, resets: number) {
  let seen = 0;
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    if (seen++ < resets) {
      sock.once('data', () => sock.destroy());
      return;
    }
    const up = net.connect(targetPort, '127.0.0.1');
    up.on('error', () => sock.destroy());
    sock.pipe(up).pipe(sock);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { server.close(r); }));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen: () => seen };
}

test('upgrade-time: an upstream that resets before answering is retried; the client only sees the final 101', async (t) => {
  const echo = await startEchoUpstream(t);
  const front = await flakyFront(t, echo.port, 3);
  const { wsUrl, adminUrl } = await startGate(t, {
    upstream: { url: front.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const r = await connectWs(`${wsUrl}/ws?realm=realm1`);
  assert.equal(r.kind, 'open');
  r.ws!.terminate();
  assert.equal(front.seen(), 4);
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_upstream_retries_total', { realm: 'realm1' }), 3);
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'forwarded_after_wait' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'upstream_error' }), undefined);
});

test('HELLO mode: an upstream that resets before the 101 is retried with the held HELLO; the client gets its WELCOME-equivalent', async (t) => {
  const echo = await startEchoUpstream(t);
  const front = await flakyFront(t, echo.port, 2);
  const { wsUrl, adminUrl } = await startGate(t, {
    upstream: { url: front.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const ws = new WebSocket(`${wsUrl}/ws`, ['wamp.2.json'], { perMessageDeflate: false });
  t.after(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  const echoed = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
  ws.send('[1, "realm1", {}]');
  // The echo upstream answers the HELLO with the HELLO itself: the first message reaches the client.
  assert.equal(await echoed, '[1, "realm1", {}]');
  assert.equal(front.seen(), 3);
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_upstream_retries_total', { realm: 'realm1' }), 2);
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'forwarded_after_wait' }), 1);
});
