import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { encodeFrame, Opcode } from '../../src/wamp/ws-frames.js';
import { startGate } from '../support/gate.js';
import { metricValue, rawExchange, upgradeRequest } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { openPeekClient, serverClose } from '../support/peek-client.js';

/** A client held before admission (its upgrade names realm1, which is not ready). */
function heldUpgrade(port: number): { sock: net.Socket; closed: Promise<void> } {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  sock.write(upgradeRequest('/ws?realm=realm1'));
  return { sock, closed: new Promise((r) => sock.once('close', () => r())) };
}

test('past limits.preAdmissionBytes new clients get 503 overload with retry guidance; the budget is freed when they leave', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['query', 'hello'],
    // 1 MiB at 64 KiB per connection: 15 clients (with their request heads) fit.
    limits: { preAdmissionBytes: 1024 * 1024, connectionOverheadBytes: 64 * 1024 },
  });
  const held: ReturnType<typeof heldUpgrade>[] = [];
  for (let i = 0; i < 15; i++) held.push(heldUpgrade(g.port));
  t.after(() => held.forEach((c) => c.sock.destroy()));
  await until(() => g.gate.admission.depth('realm1') === 15, '15 held');
  assert.ok(g.gate.budget.bytes > 15 * 64 * 1024);

  const refused = await rawExchange(g.port, upgradeRequest('/ws?realm=realm1'));
  assert.match(refused.text, /^HTTP\/1\.1 503 /);
  assert.match(refused.text, /\r\nRetry-After: 5\r\n/);
  assert.match(refused.text, /\r\nX-Realmgate-Reason: overload\r\n/);
  const body = JSON.parse(refused.text.slice(refused.text.indexOf('\r\n\r\n') + 4));
  assert.equal(body.error, 'overload');
  assert.match(body.message, /please retry connection later/);
  // A HELLO-mode client is refused the same way, before any 101.
  const hello = await rawExchange(g.port, upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': 'wamp.2.json' }));
  assert.match(hello.text, /^HTTP\/1\.1 503 [^]*X-Realmgate-Reason: overload/);

  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'rejected_overload' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'rejected_overload' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_preadmission_bytes'), g.gate.budget.bytes);

  for (const c of held) c.sock.destroy();
  await until(() => g.gate.budget.bytes === 0 && g.gate.budget.connections === 0, 'the budget to be returned');
  assert.equal(g.gate.admission.total, 0);
});

test('a HELLO-mode client whose bytes would pass the budget is closed 1013 (try again later) and its charge returned', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
    hello: { maxBytes: 1024 * 1024 },
    limits: { preAdmissionBytes: 1024 * 1024, connectionOverheadBytes: 1024 },
  });
  const { sock, received, closed } = await openPeekClient(g.port);
  // A 1,048,000-byte first message, within hello.maxBytes but past the global 1 MiB once overhead counts.
  const frame = encodeFrame(Opcode.TEXT, Buffer.alloc(1_048_000, 0x20), { mask: true });
  sock.write(frame);
  await closed;
  assert.equal(serverClose(received)?.code, 1013);
  await until(() => g.gate.budget.bytes === 0 && g.gate.pending.size === 0, 'the charge returned');
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'rejected_overload' }), 1);
});
