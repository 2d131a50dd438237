import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { metricValue, rawExchange, upgradeRequest } from '../support/raw-http.js';
import { until } from '../support/wait.js';

/**
 * An upstream that answers every request with 404 and keeps the connection alive (as a router
 * does for a path that is not a WebSocket endpoint), recording every byte it receives.
 */
async function keepAlive404Upstream(t: import('node:test').TestContext) {
  const received: string[] = [];
  const server = net.createServer((sock) => {
    let seen = '';
    sock.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      received.push(d.toString('latin1'));
      // Answer each complete request head, keep-alive.
      while (seen.includes('\r\n\r\n')) {
        seen = seen.slice(seen.indexOf('\r\n\r\n') + 4);
        sock.write('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\nnot found');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const requests = () => received.join('').split(' HTTP/1.1\r\n').length - 1;
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, received, requests };
}

test('a non-101 answer to an upgrade is relayed with Connection: close and the connection closed: no request reaches the upstream behind it', async (t) => {
  const upstream = await keepAlive404Upstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }], unknownRealm: 'pass' });
  // The attack: an upgrade for an unknown (passed) realm to a path the upstream answers 404 with
  // keep-alive, with a second request pipelined right behind it, and a third after the answer.
  const smuggled = 'GET /ws?realm=realm1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n';
  const sock = net.connect(g.port, '127.0.0.1');
  sock.on('error', () => {});
  let text = '';
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.write(upgradeRequest('/not-a-ws-path?realm=elsewhere') + smuggled);
  await until(() => text.includes('not found'), 'the relayed 404');
  sock.write(smuggled);
  await closed;
  assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.doesNotMatch(text, /keep-alive/i);
  assert.ok(text.endsWith('\r\n\r\nnot found'), 'exactly one answer, body included');
  assert.equal(upstream.requests(), 1, `the upstream saw one request, got: ${upstream.received.join('')}`);
  assert.equal(g.gate.admission.depth('realm1'), 0);
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'upstream_refused' }), 1);
});

test('an Upgrade: h2c request is forwarded alone: a pipelined second request never reaches the upstream', async (t) => {
  const upstream = await keepAlive404Upstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });
  const { text, closed } = await rawExchange(g.port,
    'GET /a HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n' +
    'GET /ws?realm=realm1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  assert.ok(closed);
  assert.match(text, /^HTTP\/1\.1 404 /);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.equal(upstream.requests(), 1);
});
