import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { metricValue, rawExchange, upgradeRequest } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs, echo } from '../support/ws-client.js';

test('malformed requests get a 4xx and the gate keeps serving', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port, adminUrl, wsUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const cases: [string, string | Buffer, RegExp][] = [
    ['garbage', 'NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['binary noise', Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]), /^HTTP\/1\.1 400 /],
    ['upgrade without key', upgradeRequest('/ws?realm=realm1', { 'Sec-WebSocket-Key': '' }).replace('Sec-WebSocket-Key: \r\n', ''), /^HTTP\/1\.1 400 [^]*Sec-WebSocket-Key/],
    ['malformed key', upgradeRequest('/ws?realm=realm1', { 'Sec-WebSocket-Key': 'short' }), /^HTTP\/1\.1 400 /],
    ['oversize headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
    ['bad realm in query', upgradeRequest('/ws?realm=a%20b'), /^HTTP\/1\.1 400 /],
  ];
  for (const [name, input, expected] of cases) {
    const { text, closed } = await rawExchange(port, input);
    assert.match(text, expected, name);
    assert.ok(closed, `${name}: the connection is closed`);
  }
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'bad_request' }), cases.length);
  const ok = await connectWs(`${wsUrl}/ws?realm=realm1`);
  assert.equal(ok.kind, 'open', 'still serving');
  ok.ws!.terminate();
});

test('a client reset mid-tunnel closes the upstream side and the gate keeps serving', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port, gate, wsUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  sock.write(upgradeRequest('/ws?realm=realm1'));
  await new Promise((r) => sock.once('data', r));
  await until(() => gate.tunnels.size === 1 && upstream.sockets.size === 1, 'the tunnel to open');
  sock.resetAndDestroy();
  await until(() => gate.tunnels.size === 0 && upstream.sockets.size === 0, 'both sides to close');
  const again = await connectWs(`${wsUrl}/ws?realm=realm1`);
  assert.equal((await echo(again.ws!, 'x')).toString(), 'x');
  again.ws!.terminate();
});

test('an upstream that dies mid-tunnel closes the client side', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { gate, wsUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const r = await connectWs(`${wsUrl}/ws?realm=realm1`);
  const closed = new Promise((res) => r.ws!.once('close', res));
  for (const s of upstream.sockets) s.terminate();
  await closed;
  await until(() => gate.tunnels.size === 0, 'the tunnel to be gone');
});
