import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { until } from '../support/wait.js';
import { autobahnRawSocketJoin } from '../support/rawsocket-clients.js';

test('RawSocket (autobahn-js, json): held on the client port with no upstream connection, then joins, registers, calls and publishes', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  const { gate, port } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });

  const callee = autobahnRawSocketJoin(port, 'realm1');
  await until(() => gate.admission.depth('realm1') === 1, 'the RawSocket HELLO to be held');
  assert.equal(proxy.stats().connections, 0, 'a held RawSocket client costs no upstream connection');
  assert.equal(proxy.router.stats().connections, 0);

  proxy.startRoute('realm1');
  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
  const c = await callee;
  assert.equal(c.kind, 'joined', JSON.stringify(c));
  if (c.kind !== 'joined') return;
  t.after(c.close);
  assert.match(String((c.details.authextra as Record<string, unknown> | undefined)?.x_cb_proxy_worker ?? ''), /^cpw-/, 'the upstream WELCOME reaches the client');
  await c.session.register('com.example.mul', (args: unknown[]) => (args[0] as number) * (args[1] as number));

  const caller = await autobahnRawSocketJoin(port, 'realm1');
  assert.equal(caller.kind, 'joined');
  if (caller.kind !== 'joined') return;
  t.after(caller.close);
  assert.equal(await caller.session.call('com.example.mul', [6, 7]), 42);
  let onEvent: (args: unknown[]) => void = () => {};
  const received = new Promise<unknown[]>((resolve) => (onEvent = resolve));
  await c.session.subscribe('com.example.topic', (args: unknown[]) => onEvent(args));
  await caller.session.publish('com.example.topic', ['hi', 1], {}, { acknowledge: true });
  assert.deepEqual(await received, ['hi', 1]);
  assert.equal(proxy.stats().refusals, 0);
  assert.equal(gate.tunnels.size, 2);
});
