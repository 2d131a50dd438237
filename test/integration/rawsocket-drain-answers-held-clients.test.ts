import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { until } from '../support/wait.js';
import { autobahnRawSocketJoin, clientHandshake, RawClient, spFor } from '../support/rawsocket-clients.js';

test('RawSocket: POST /drain answers held clients with the ABORT and closes clients without a HELLO; new ones are refused draining', async (t) => {
  const { gate, port, adminUrl } = await startGate(t, {
    upstream: { url: 'http://127.0.0.1:1' },
    realms: [{ name: 'realm1' }],
  });
  const held = autobahnRawSocketJoin(port, 'realm1');
  const silent = await RawClient.connect(port);
  t.after(() => silent.destroy());
  silent.write(clientHandshake('json'));
  await silent.handshakeReply();
  await until(() => gate.admission.depth('realm1') === 1, 'the RawSocket HELLO to be held');

  assert.equal((await fetch(`${adminUrl}/drain`, { method: 'POST' })).status < 300, true);
  const r = await held;
  assert.equal(r.kind, 'refused');
  if (r.kind === 'refused') assert.equal(r.reason, 'wamp.error.no_such_realm');
  await silent.closedP;

  const late = await RawClient.connect(port);
  t.after(() => late.destroy());
  late.write(clientHandshake('msgpack'));
  late.hello(spFor('msgpack'), 'realm1');
  const abort = await late.nextMessage(spFor('msgpack'));
  assert.equal(abort[2], 'wamp.error.no_such_realm');
  await late.closedP;

  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'draining' }), 2);
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'draining' }), 1);
});
