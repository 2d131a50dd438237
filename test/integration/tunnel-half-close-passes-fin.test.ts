import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { upgradeRequest } from '../support/raw-http.js';
import { openRawTunnel, startRawUpstream } from '../support/raw-upstream.js';
import { startGate } from '../support/gate.js';

function readToEnd(sock: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.on('error', reject);
    sock.resume();
  });
}

test('a client FIN reaches the upstream, which can still answer before its own FIN ends the tunnel', async (t) => {
  const upstreamSaw: Promise<string>[] = [];
  const upstreamPort = await startRawUpstream(t, (sock, rest) => {
    upstreamSaw.push(readToEnd(sock).then((s) => {
      // Answer after the client's FIN (a WebSocket close handshake ends like this), then FIN.
      sock.end(`answer to ${rest.toString('latin1')}${s}`);
      return rest.toString('latin1') + s;
    }));
  });
  const { port, gate } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${upstreamPort}` },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const { sock, rest } = await openRawTunnel(port, upgradeRequest('/?realm=realm1'));
  t.after(() => sock.destroy());
  assert.equal(gate.tunnels.size, 1);
  const answer = readToEnd(sock);
  sock.end('last words');
  assert.equal(await upstreamSaw[0], 'last words');
  assert.equal(rest.toString('latin1') + (await answer), 'answer to last words');
  await new Promise<void>((r) => (sock.destroyed ? r() : sock.once('close', () => r())));
  // The tunnel is uncounted once both sides are done.
  for (let i = 0; i < 200 && gate.tunnels.size > 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(gate.tunnels.size, 0);
});
