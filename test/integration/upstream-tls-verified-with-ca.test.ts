// needs: openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startGate } from '../support/gate.js';
import { makeCa, makeLeaf, tempDir } from '../support/tls.js';
import { connectWs, echo } from '../support/ws-client.js';

test('https:// upstream: verified against upstream.tls.caFile (with servername), refused without it, skipped only with insecure: true', async (t) => {
  const dir = tempDir();
  const ca = makeCa(dir);
  const leaf = makeLeaf(dir, ca, 'upstream');
  const server = https.createServer({ cert: readFileSync(leaf.certFile), key: readFileSync(leaf.keyFile) }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, proto: req.headers['x-forwarded-proto'] }));
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false, handleProtocols: (p) => p.values().next().value ?? false });
  wss.on('connection', (ws) => ws.on('message', (d, bin) => ws.send(d, { binary: bin })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const c of wss.clients) c.terminate();
    server.closeAllConnections();
    server.close();
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const common = { realms: [{ name: 'realm1' }], readiness: { combine: 'any' as const, sources: [{ type: 'static' as const, ready: ['realm1'] }] } };

  const verified = await startGate(t, { ...common, upstream: { url, tls: { caFile: ca.certFile, servername: 'localhost' } } });
  const ok = await connectWs(`${verified.wsUrl}/ws?realm=realm1`, 'wamp.2.json');
  assert.equal(ok.kind, 'open');
  t.after(() => ok.ws?.terminate());
  assert.equal((await echo(ok.ws!, 'via tls upstream')).toString(), 'via tls upstream');
  const http = (await (await fetch(`${verified.httpUrl}/info`)).json()) as { url: string };
  assert.equal(http.url, '/info', 'the plain HTTP forward verifies the same way');

  const system = await startGate(t, { ...common, upstream: { url } });
  const refused = await connectWs(`${system.wsUrl}/ws?realm=realm1`, 'wamp.2.json');
  assert.equal(refused.status, 502, 'an upstream certificate the system CAs do not know is refused');
  assert.equal((await fetch(`${system.httpUrl}/info`)).status, 502);

  const insecure = await startGate(t, { ...common, upstream: { url, tls: { insecure: true } } });
  const skipped = await connectWs(`${insecure.wsUrl}/ws?realm=realm1`, 'wamp.2.json');
  assert.equal(skipped.kind, 'open');
  t.after(() => skipped.ws?.terminate());
});
