// The simulated proxy's HTTP side: a status page on GET, 404 elsewhere, and Crossbar's 400 when
// the client offers no WAMP subprotocol it speaks; the server picks the client's first choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';

function upgradeStatus(url: string, protocols: string[]): Promise<number | string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => { resolve(`open ${ws.protocol}`); ws.terminate(); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); });
    ws.once('error', (err) => { if (ws.readyState !== ws.CLOSED) reject(err); });
  });
}

test('status page, 404 on other paths, 400 without a supported subprotocol, first offered subprotocol wins', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const { url, wsUrl, port } = await proxy.listen();
  assert.equal(wsUrl, `ws://127.0.0.1:${port}/ws`);

  const page = await fetch(`${url}/ws`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await page.text(), /WAMP-WebSocket endpoint/);
  assert.equal((await fetch(`${url}/other`)).status, 404);

  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/nope`, ['wamp.2.json']), 404);
  assert.equal(await upgradeStatus(wsUrl, ['wamp.2.ubjson', 'mqtt']), 400);
  assert.equal(await upgradeStatus(wsUrl, ['wamp.2.ubjson', 'wamp.2.cbor.batched', 'wamp.2.json']), 'open wamp.2.cbor.batched');
  assert.equal(await upgradeStatus(wsUrl, ['wamp.2.msgpack', 'wamp.2.json']), 'open wamp.2.msgpack');
});
