import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs, echo } from '../support/ws-client.js';

test('a realm that stops being ready holds new clients and leaves open tunnels alone', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, gate, logs } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });
  const sink = gate.registry.sinkFor('test', 'http');
  sink.snapshot({ realm1: true });
  const first = await connectWs(`${wsUrl}/?realm=realm1`);
  assert.equal(first.kind, 'open');
  t.after(() => first.ws!.terminate());

  sink.snapshot({ realm1: false });
  assert.ok(logs.some((l) => l.level === 40 && l.msg === 'realm "realm1" is no longer ready - new clients will be held'));
  const second = connectWs(`${wsUrl}/?realm=realm1`);
  await until(() => gate.admission.depth('realm1') === 1, 'the new client to be held');
  assert.equal((await echo(first.ws!, 'still here')).toString(), 'still here', 'the open tunnel keeps working');
  assert.equal(gate.tunnels.size, 1);

  sink.snapshot({ realm1: true });
  const r = await second;
  assert.equal(r.kind, 'open');
  r.ws!.terminate();
});
