// needs: openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { echo } from '../support/ws-client.js';
import { autobahnJoinTls, connectWss, makeCa, makeLeaf, tempDir } from '../support/tls.js';

const dir = tempDir();
const ca = makeCa(dir);
const leaf = makeLeaf(dir, ca, 'gate');
const listenTls = { certFile: leaf.certFile, keyFile: leaf.keyFile };

for (const mode of ['upgrade-time realm (query)', 'HELLO peek'] as const) {
  test(`wss:// through the gate, ${mode}: autobahn-js is held, then joins and calls over TLS`, async (t) => {
    const proxy = new SimulatedProxyTransport();
    t.after(() => proxy.destroy());
    const upstream = await proxy.listen();
    const { gate, port } = await startGate(t, {
      listen: { host: '127.0.0.1', port: 0, tls: listenTls },
      upstream: { url: upstream.url },
      realms: [{ name: 'realm1' }],
      realmFrom: mode === 'HELLO peek' ? ['hello'] : ['query'],
    });
    const url = `wss://localhost:${port}${mode === 'HELLO peek' ? '/ws' : '/ws?realm=realm1'}`;
    const joining = autobahnJoinTls(url, 'realm1', ca.pem);
    await until(() => gate.admission.depth('realm1') === 1, 'the client to be held');
    assert.equal(proxy.stats().connections, 0, 'a held client costs no upstream connection');

    proxy.startRoute('realm1');
    gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
    const callee = await joining;
    t.after(callee.close);
    await callee.session.register('com.example.add', (args: unknown[]) => (args[0] as number) + (args[1] as number));
    const caller = await autobahnJoinTls(url, 'realm1', ca.pem);
    t.after(caller.close);
    assert.equal(await caller.session.call('com.example.add', [40, 2]), 42);
    assert.equal(proxy.stats().refusals, 0);
  });
}

test('wss:// through the gate: the upstream sees X-Forwarded-Proto: wss; a client that does not trust the certificate never reaches it', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port } = await startGate(t, {
    listen: { host: '127.0.0.1', port: 0, tls: listenTls },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { combine: 'any', sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const r = await connectWss(`wss://localhost:${port}/ws?realm=realm1`, ca.pem, 'wamp.2.json');
  assert.equal(r.kind, 'open');
  t.after(() => r.ws!.terminate());
  assert.equal((await echo(r.ws!, 'over tls')).toString(), 'over tls');
  assert.equal(upstream.upgrades[0]!.headers['x-forwarded-proto'], 'wss');

  // A client that does not trust the CA never reaches the upstream.
  await assert.rejects(connectWss(`wss://localhost:${port}/ws?realm=realm1`, Buffer.from(makeCa(tempDir(), 'other').pem), 'wamp.2.json'));
  assert.equal(upstream.upgrades.length, 1);
});
