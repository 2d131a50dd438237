// The simulated Crossbar proxy refuses a realm without routes exactly as Crossbar does
// (ABORT wamp.error.no_such_realm, socket left open) and routes calls once startRoute ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { autobahnJoin, JoinRefused, pingPong, rawHello, wampyJoin, type AutobahnSerializerId } from '../support/wamp-clients.js';

test('refuses before startRoute, then joins and routes register/call for autobahn (json, msgpack, cbor) and wampy', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const { wsUrl } = await proxy.listen();

  // Crossbar's exact refusal, and the socket stays open afterwards.
  for (const protocol of ['wamp.2.json', 'wamp.2.msgpack.batched', 'wamp.2.cbor']) {
    const { reply, ws } = await rawHello(wsUrl, protocol, 'realm1');
    t.after(() => ws.terminate());
    assert.deepEqual(reply, [3, { message: 'no realm "realm1" exists on this router' }, 'wamp.error.no_such_realm']);
    await pingPong(ws);
    ws.close();
  }
  for (const serializer of ['json', 'msgpack', 'cbor'] as AutobahnSerializerId[]) {
    await assert.rejects(autobahnJoin(wsUrl, 'realm1', serializer), (err: unknown) => {
      assert.ok(err instanceof JoinRefused);
      assert.equal(err.reason, 'wamp.error.no_such_realm');
      assert.equal(err.detail, 'no realm "realm1" exists on this router');
      return true;
    });
  }
  await assert.rejects(wampyJoin(wsUrl, 'realm1'), (err: unknown) => {
    assert.equal((err as { errorUri?: string }).errorUri, 'wamp.error.no_such_realm');
    return true;
  });
  assert.equal(proxy.stats().refusals, 7);
  assert.equal(proxy.stats().welcomes, 0);

  proxy.startRoute('realm1');
  assert.deepEqual(proxy.routes(0), ['realm1']);

  const callee = await autobahnJoin(wsUrl, 'realm1', 'cbor');
  t.after(() => callee.close());
  const authextra = callee.details['authextra'] as Record<string, unknown>;
  assert.equal(authextra['x_cb_proxy_worker'], 'cpw-9fbe067c-0');
  assert.equal(authextra['x_cb_proxy_node'], 'node1');
  assert.match(String(authextra['x_cb_proxy_peer']), /^tcp4:127\.0\.0\.1:\d+$/);
  assert.equal(typeof authextra['x_cb_proxy_pid'], 'number');
  await callee.session.register('com.example.add', (args) => (args[0] as number) + (args[1] as number));

  for (const serializer of ['json', 'msgpack', 'cbor'] as AutobahnSerializerId[]) {
    const caller = await autobahnJoin(wsUrl, 'realm1', serializer);
    t.after(() => caller.close());
    assert.equal(await caller.session.call('com.example.add', [20, 22]), 42, serializer);
    caller.close();
  }
  const wampy = await wampyJoin(wsUrl, 'realm1');
  t.after(() => wampy.disconnect().catch(() => undefined));
  const result = await wampy.call('com.example.add', [1, 2]);
  assert.deepEqual(result.argsList, [3]);
  await wampy.register('com.example.mul', ({ argsList = [] }) => ({ argsList: [(argsList[0] as number) * (argsList[1] as number)] }));
  assert.equal(await callee.session.call('com.example.mul', [6, 7]), 42);
  assert.equal(proxy.stats().welcomes, 5);
});
