import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { until } from '../support/wait.js';
import { clientHandshake, RawClient, spFor } from '../support/rawsocket-clients.js';

test('RawSocket: clients that hang up before the handshake, before HELLO or while held are freed at once (client_gone)', async (t) => {
  const { gate, port, adminUrl } = await startGate(t, {
    upstream: { url: 'http://127.0.0.1:1' },
    realms: [{ name: 'realm1' }],
  });

  const half = await RawClient.connect(port);
  half.write([0x7f, 0xf1]);
  const noHello = await RawClient.connect(port);
  noHello.write(clientHandshake('json'));
  await noHello.handshakeReply();
  const held = await RawClient.connect(port);
  held.write(clientHandshake('cbor'));
  held.hello(spFor('cbor'), 'realm1');
  await until(() => gate.admission.total === 1, 'the HELLO to be held');

  for (const c of [half, noHello, held]) c.socket.end();
  await until(() => gate.admission.depth('realm1') === 0, 'the held client to leave the queue');
  const metrics = async () => (await (await fetch(`${adminUrl}/metrics`)).text());
  await until(async () => metricValue(await metrics(), 'realmgate_connections_total', { realm: '_unknown', outcome: 'client_gone' }) === 2, 'two pre-HELLO clients counted gone');
  assert.equal(metricValue(await metrics(), 'realmgate_connections_total', { realm: 'realm1', outcome: 'client_gone' }), 1);
  const status = await (await fetch(`${adminUrl}/status`)).json() as Record<string, unknown>;
  assert.equal(JSON.stringify(status).includes('"queued":1'), false);
  // Nothing left for drain to answer: the pending set is empty.
  gate.drain();
  assert.equal(gate.admission.total, 0);
});
