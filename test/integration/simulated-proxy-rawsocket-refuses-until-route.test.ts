import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { autobahnRawSocketJoin, RawClient } from '../support/rawsocket-clients.js';
import { autobahnJoin } from '../support/wamp-clients.js';

test('simulated proxy, universal port: RawSocket clients are refused no_such_realm until the route exists, as WebSocket clients; bad handshakes are dropped without a reply (autobahn-python)', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const up = await proxy.listen();

  const refused = await autobahnRawSocketJoin(up.port, 'realm1');
  assert.equal(refused.kind, 'refused');
  if (refused.kind === 'refused') assert.equal(refused.reason, 'wamp.error.no_such_realm');

  proxy.startRoute('realm1');
  const rs = await autobahnRawSocketJoin(up.port, 'realm1');
  assert.equal(rs.kind, 'joined');
  if (rs.kind !== 'joined') return;
  t.after(rs.close);
  assert.match(String((rs.details.authextra as Record<string, unknown>).x_cb_proxy_peer), /^tcp4:127\.0\.0\.1:\d+$/);
  // RawSocket and WebSocket sessions meet in the same router.
  await rs.session.register('com.example.echo', (args: unknown[]) => args[0]);
  const ws = await autobahnJoin(up.wsUrl, 'realm1');
  t.after(ws.close);
  assert.equal(await ws.session.call('com.example.echo', ['over both']), 'over both');

  for (const opening of [[0x7f, 0xf4, 0, 0], [0x7f, 0xf0, 0, 0]]) {
    const c = await RawClient.connect(up.port);
    t.after(() => c.destroy());
    c.write(opening);
    assert.equal(await c.handshakeReply(), undefined, 'no reply, as autobahn-python');
  }
  assert.equal(proxy.stats().refusals, 1);
});
