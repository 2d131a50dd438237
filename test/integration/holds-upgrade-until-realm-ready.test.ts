import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startControlPlane, startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs, echo } from '../support/ws-client.js';

test('an upgrade for a not-ready realm is held, then tunnelled when the http source flips', async (t) => {
  const upstream = await startEchoUpstream(t);
  const cp = await startControlPlane(t, { realm1: false });
  const { gate, wsUrl, logs } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'http', url: cp.url, intervalMs: 20 }] },
  });
  await cp.nextPoll();

  const pending = connectWs(`${wsUrl}/ws?realm=realm1`, 'wamp.2.json');
  await until(() => gate.admission.depth('realm1') === 1, 'the client to be held');
  // Held before any byte is written: the upstream has not seen the client.
  assert.equal(upstream.upgrades.length, 0);

  cp.set({ realm1: true });
  const res = await pending;
  assert.equal(res.kind, 'open');
  t.after(() => res.ws?.terminate());
  assert.equal(res.protocol, 'wamp.2.json', "the upstream's own subprotocol reaches the client");
  assert.equal((await echo(res.ws!, 'ping-through')).toString(), 'ping-through');
  assert.equal(upstream.upgrades.length, 1);
  assert.equal(upstream.upgrades[0]!.url, '/ws?realm=realm1', 'path and query are kept');
  assert.equal(upstream.upgrades[0]!.headers['x-forwarded-for'], '127.0.0.1');

  const line = logs.find((l) => l.msg === 'routes now configured for realm "realm1" - clients can now connect');
  assert.ok(line, 'the ready log line is written');
  assert.equal(line.realm, 'realm1');
  assert.equal(line.released, 1);
  assert.equal(typeof line.waitedMs, 'number');
});
