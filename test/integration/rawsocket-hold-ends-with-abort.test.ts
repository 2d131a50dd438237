// needs: python3-autobahn
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { assertPythonAutobahn } from '../support/incident.js';
import { runPythonRawSocket } from '../support/python-rawsocket.js';
import { metricValue } from '../support/raw-http.js';
import { decodeFirstMessage } from '../../src/wamp/hello.js';
import { autobahnRawSocketJoin, clientHandshake, RawClient, spFor } from '../support/rawsocket-clients.js';

const MESSAGE = 'realm "realm1" is not ready yet - proxy routes may still be initializing, please retry connection';

test('RawSocket: a hold that ends at its deadline gets the contract ABORT in the client\'s serializer, then the connection closes', async (t) => {
  await assertPythonAutobahn();
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  const { port, adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1', queueTimeoutMs: 300, retryAfterSeconds: 7 }],
  });

  // autobahn-js (json): the ABORT reason and message reach the application.
  const js = await autobahnRawSocketJoin(port, 'realm1');
  assert.equal(js.kind, 'refused');
  if (js.kind === 'refused') {
    assert.equal(js.reason, 'wamp.error.no_such_realm');
    assert.equal(js.message, MESSAGE);
  }

  // autobahn-python Twisted (msgpack).
  const py = runPythonRawSocket(t, port, 'realm1', 'msgpack');
  assert.equal(await py.exited, 0, py.stderr());
  assert.deepEqual(py.of('abort').map((e) => [e.reason, e.message]), [['wamp.error.no_such_realm', MESSAGE]], JSON.stringify(py.events));

  // cbor (no Debian client speaks it: autobahn-python has no cbor2 here, autobahn-js RawSocket is json only): byte by byte.
  const raw = await RawClient.connect(port);
  t.after(() => raw.destroy());
  // L = 0: this client accepts messages of at most 512 bytes.
  raw.write(clientHandshake('cbor', 0));
  assert.deepEqual([...(await raw.handshakeReply())!], [0x7f, 0xf3, 0, 0], 'the gate answers with the client\'s serializer and L=15');
  raw.hello(spFor('cbor'), 'realm1');
  const frame = await raw.nextFrame();
  assert.ok(frame.payload.length <= 512, 'the ABORT fits the client\'s maximum length');
  assert.deepEqual(decodeFirstMessage(spFor('cbor'), frame.payload), [3, { message: MESSAGE, retry_after: 7 }, 'wamp.error.no_such_realm']);
  await raw.closedP;

  assert.equal(proxy.router.stats().connections, 0, 'no upstream connection was ever opened');
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'queue_timeout' }), 3);
  assert.equal(metricValue(metrics, 'realmgate_queue_wait_seconds_count', { realm: 'realm1' }), 3);
});
