// needs: openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { echo } from '../support/ws-client.js';
import { makeCa, makeLeaf, tempDir } from '../support/tls.js';

function open(url: string, opts: ConstructorParameters<typeof WebSocket>[2]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'wamp.2.json', { perMessageDeflate: false, ...opts });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

test('listen.tls.caFile: a client without a certificate from that CA is refused in the handshake; one with it is tunnelled', async (t) => {
  const dir = tempDir();
  const serverCa = makeCa(dir, 'server-ca');
  const clientCa = makeCa(dir, 'client-ca');
  const leaf = makeLeaf(dir, serverCa, 'gate');
  const client = makeLeaf(dir, clientCa, 'client');
  const stranger = makeLeaf(dir, makeCa(dir, 'stranger-ca'), 'stranger');
  const upstream = await startEchoUpstream(t);
  const { port } = await startGate(t, {
    listen: { host: '127.0.0.1', port: 0, tls: { certFile: leaf.certFile, keyFile: leaf.keyFile, caFile: clientCa.certFile } },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { combine: 'any', sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const url = `wss://localhost:${port}/ws?realm=realm1`;
  await assert.rejects(open(url, { ca: serverCa.pem }), 'no client certificate');
  await assert.rejects(open(url, { ca: serverCa.pem, cert: readFileSync(stranger.certFile), key: readFileSync(stranger.keyFile) }), 'a certificate from another CA');
  assert.equal(upstream.upgrades.length, 0);

  const ws = await open(url, { ca: serverCa.pem, cert: readFileSync(client.certFile), key: readFileSync(client.keyFile) });
  t.after(() => ws.terminate());
  assert.equal((await echo(ws, 'mutual')).toString(), 'mutual');
});
