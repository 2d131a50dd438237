import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { metricValue, rawExchange } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

function idle(port: number): { sock: net.Socket; text: () => string; closed: Promise<void> } {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  let text = '';
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return { sock, text: () => text, closed: new Promise((r) => sock.once('close', () => r())) };
}

test('past listen.maxConnections a client gets 503 overload with Retry-After (not a reset) while the admin port keeps answering', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }], listen: { host: '127.0.0.1', port: 0, maxConnections: 3, headersTimeoutMs: 60_000 } });
  const held = [idle(g.port), idle(g.port), idle(g.port)];
  t.after(() => held.forEach((c) => c.sock.destroy()));
  await Promise.all(held.map((c) => new Promise((r) => c.sock.once('connect', r))));
  const { text, closed } = await rawExchange(g.port, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok(closed);
  assert.match(text, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.match(text, /\r\nRetry-After: 5\r\n/);
  assert.match(text, /\r\nX-Realmgate-Reason: overload\r\n/);
  assert.equal(upstream.requests.length, 0, 'the refused request was not forwarded');
  const live = await fetch(`${g.adminUrl}/health/live`);
  assert.equal(live.status, 200, 'the admin port answers while the client port is saturated');
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'rejected_overload' }), 1);
  // A slot frees up: the next client is served.
  held[0]!.sock.destroy();
  await held[0]!.closed;
  await until(async () => /^HTTP\/1\.1 200 /.test((await rawExchange(g.port, 'GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).text), 'a client served again');
});

test('a request head that does not complete within listen.headersTimeoutMs gets 408 and is closed; so does a silent connection', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }], listen: { host: '127.0.0.1', port: 0, headersTimeoutMs: 300 } });
  const slow = idle(g.port);
  const silent = idle(g.port);
  t.after(() => { slow.sock.destroy(); silent.sock.destroy(); });
  slow.sock.write('GET /x HTTP/1.1\r\nHost: x\r\n');
  await Promise.all([slow.closed, silent.closed]);
  assert.match(slow.text(), /^HTTP\/1\.1 408 /);
  assert.equal(upstream.requests.length, 0);
});
