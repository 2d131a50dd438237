import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { until } from '../support/wait.js';
import { autobahnJoin, type AutobahnSerializerId } from '../support/wamp-clients.js';

for (const serializer of ['json', 'msgpack', 'cbor'] as AutobahnSerializerId[]) {
  test(`HELLO peek (${serializer}): autobahn-js names the realm only in HELLO, is held, then joins and calls`, async (t) => {
    const proxy = new SimulatedProxyTransport();
    t.after(() => proxy.destroy());
    const upstream = await proxy.listen();
    const { gate, wsUrl } = await startGate(t, {
      upstream: { url: upstream.url },
      realms: [{ name: 'realm1' }],
      realmFrom: ['hello'],
    });
    const joining = autobahnJoin(`${wsUrl}/ws`, 'realm1', serializer);
    await until(() => gate.admission.depth('realm1') === 1, 'the HELLO to be held');
    assert.equal(proxy.stats().connections, 0, 'a held client costs no upstream connection');

    proxy.startRoute('realm1');
    gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
    const { session, close, details } = await joining;
    t.after(close);
    assert.match(String((details as { authextra?: Record<string, unknown> }).authextra?.x_cb_proxy_worker ?? ''), /^cpw-/, 'the upstream WELCOME reaches the client');
    await session.register('com.example.mul', (args: unknown[]) => (args[0] as number) * (args[1] as number));
    const caller = await autobahnJoin(`${wsUrl}/ws`, 'realm1', serializer);
    t.after(caller.close);
    assert.equal(await caller.session.call('com.example.mul', [6, 7]), 42);
    let onEvent: (args: unknown[]) => void = () => {};
    const received = new Promise<unknown[]>((resolve) => (onEvent = resolve));
    await session.subscribe('com.example.topic', (args: unknown[]) => onEvent(args));
    await caller.session.publish('com.example.topic', ['hi', 1], {}, { acknowledge: true });
    assert.deepEqual(await received, ['hi', 1]);
    assert.equal(proxy.stats().refusals, 0);
  });
}
