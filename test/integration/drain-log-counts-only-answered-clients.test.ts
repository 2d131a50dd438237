import { test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { adminPost } from '../support/admin-post.js';
import { startGate } from '../support/gate.js';
import { until } from '../support/wait.js';

/** Opens a HELLO-peek WebSocket; sends HELLO for `realm` unless null. Resolves once open, with its close code to come. */
async function helloClient(url: string, realm: string | null): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(url, ['wamp.2.json'], { perMessageDeflate: false });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  if (realm !== null) ws.send(JSON.stringify([1, realm, { roles: { caller: {} } }]));
  return { ws, closed };
}

test('the drain log counts only clients answered "draining", not an admitted client still connecting upstream', async (t) => {
  // An upstream that accepts TCP and never answers the upgrade: the admitted client stays "connecting".
  const silent = net.createServer(() => {});
  const sockets = new Set<net.Socket>();
  silent.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const { wsUrl, adminUrl, gate, logs } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, connectTimeoutMs: 30_000 },
    realms: [{ name: 'realm1' }, { name: 'realm2' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const connecting = await helloClient(`${wsUrl}/ws`, 'realm1');
  await until(() => gate.tunnels.connecting === 1, 'the admitted realm1 client to be connecting upstream');
  const held = await helloClient(`${wsUrl}/ws`, 'realm2');
  await until(() => gate.admission.depth('realm2') === 1, 'the realm2 client to be held');
  const noHello = await helloClient(`${wsUrl}/ws`, null);
  t.after(() => {
    for (const c of [connecting, held, noHello]) c.ws.terminate();
  });

  assert.equal((await adminPost(adminUrl, '/drain')).status, 202);
  assert.equal(await noHello.closed, 1001, 'the client without HELLO is answered draining');
  await held.closed;
  const line = logs.find((l) => l.msg === 'held clients answered "draining"');
  assert.ok(line, 'the drain is logged');
  assert.equal(line.refused, 2, 'held + no-HELLO client; the connecting one was not answered');
  assert.equal(line.connecting, 1);
  assert.equal(gate.tunnels.connecting, 1, 'the connecting client is still on its way to a tunnel');
});
