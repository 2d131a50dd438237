// needs: python3-autobahn
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { assertPythonAutobahn } from '../support/incident.js';
import { runPythonRawSocket } from '../support/python-rawsocket.js';
import { until } from '../support/wait.js';

// cbor needs Debian's python3-cbor2 beside python3-autobahn (autobahn's CBORSerializer uses it).
for (const serializer of ['json', 'msgpack', 'cbor'] as const) {
  test(`RawSocket (autobahn-python Twisted, ${serializer}): held with no upstream connection, then joins, registers, calls, publishes`, async (t) => {
    await assertPythonAutobahn();
    const proxy = new SimulatedProxyTransport();
    t.after(() => proxy.destroy());
    const upstream = await proxy.listen();
    const { gate, port } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });

    const py = runPythonRawSocket(t, port, 'realm1', serializer);
    await until(() => gate.admission.depth('realm1') === 1, `the python RawSocket client to be held (stderr: ${py.stderr()})`, 30_000);
    assert.equal(proxy.router.stats().connections, 0, 'a held client costs no upstream connection');

    proxy.startRoute('realm1');
    gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
    assert.equal(await py.exited, 0, py.stderr());
    assert.deepEqual(py.of('abort'), []);
    assert.match(String(py.of('joined')[0]?.worker), /^cpw-/, `the upstream WELCOME reached the client: ${JSON.stringify(py.events)}`);
    assert.deepEqual(py.of('call').map((e) => e.result), [5]);
    assert.deepEqual(py.of('event').map((e) => e.args), [['hi', 1]]);
  });
}
