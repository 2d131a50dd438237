import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { decodeMessages, encodeMessage, parseSubprotocol } from '../../src/wamp/serializers.js';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

/** A raw WAMP client: sends HELLO, resolves with every message received and the close code/reason. */
function helloAndWait(url: string, protocol: string, realm: string) {
  const sp = parseSubprotocol(protocol)!;
  const ws = new WebSocket(url, [protocol], { perMessageDeflate: false });
  const messages: unknown[][] = [];
  ws.on('open', () => ws.send(encodeMessage(sp, [1, realm, { roles: { caller: {} } }]), { binary: sp.binary }));
  ws.on('message', (data: Buffer, isBinary) => {
    assert.equal(isBinary, sp.binary, 'frames in the serializer’s type');
    messages.push(...decodeMessages(sp, data));
  });
  const closed = new Promise<{ code: number; reason: string; messages: unknown[][] }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), messages })),
  );
  return { ws, closed };
}

for (const protocol of ['wamp.2.json', 'wamp.2.json.batched', 'wamp.2.msgpack', 'wamp.2.msgpack.batched', 'wamp.2.cbor', 'wamp.2.cbor.batched']) {
  test(`HELLO peek (${protocol}): a hold that times out ends with the contract's ABORT, then close 1000`, async (t) => {
    const upstream = await startEchoUpstream(t);
    const { wsUrl, adminUrl } = await startGate(t, {
      upstream: { url: upstream.url },
      realms: [{ name: 'realm1', queueTimeoutMs: 100, retryAfterSeconds: 4 }],
      realmFrom: ['hello'],
    });
    const { closed } = helloAndWait(`${wsUrl}/ws`, protocol, 'realm1');
    const { code, messages } = await closed;
    assert.equal(code, 1000);
    assert.deepEqual(messages, [[3, {
      message: 'realm "realm1" is not ready yet - proxy routes may still be initializing, please retry connection',
      retry_after: 4,
    }, 'wamp.error.no_such_realm']]);
    assert.equal(upstream.upgrades.length, 0);
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'queue_timeout' }), 1);
  });
}

test('HELLO peek: reject policy, queue full and drain all end with the ABORT', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, gate, adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'rej', onNotReady: 'reject' }, { name: 'q', maxQueued: 1 }],
    realmFrom: ['hello'],
  });
  const rejected = await helloAndWait(`${wsUrl}/ws`, 'wamp.2.json', 'rej').closed;
  assert.equal(rejected.messages[0]![2], 'wamp.error.no_such_realm');
  const first = helloAndWait(`${wsUrl}/ws`, 'wamp.2.json', 'q');
  await until(() => gate.admission.depth('q') === 1, 'one held');
  const full = await helloAndWait(`${wsUrl}/ws`, 'wamp.2.json', 'q').closed;
  assert.equal(full.messages[0]![0], 3);
  await fetch(`${adminUrl}/drain`, { method: 'POST' });
  const drained = await first.closed;
  assert.equal(drained.code, 1000);
  assert.equal(drained.messages[0]![2], 'wamp.error.no_such_realm');
  assert.equal(drained.reason, 'realmgate is draining');
});
