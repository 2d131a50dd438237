import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { upgradeRequest } from '../support/raw-http.js';
import { openRawTunnel, startRawUpstream } from '../support/raw-upstream.js';
import { startGate } from '../support/gate.js';
import { fillUntilStalled, MAX_ACCEPTED, readPatternToEnd } from '../support/patterned-flood.js';

test('a tunnel whose upstream stops reading stops reading the client (bounded memory), then delivers every byte intact', async (t) => {
  let upstreamSock: net.Socket | undefined;
  const upstreamPort = await startRawUpstream(t, (sock) => {
    sock.pause();
    upstreamSock = sock;
  });
  const { port } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${upstreamPort}` },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const { sock } = await openRawTunnel(port, upgradeRequest('/?realm=realm1'));
  t.after(() => sock.destroy());
  const { sent, accepted } = await fillUntilStalled(sock, 4 * MAX_ACCEPTED, 1000);
  assert.ok(accepted < MAX_ACCEPTED, `the stalled tunnel took ${accepted} bytes (bound ${MAX_ACCEPTED})`);
  assert.ok(upstreamSock, 'the upstream saw the tunnel');

  // The upstream reads again: everything the client wrote arrives, in order, unchanged.
  sock.end();
  assert.equal(await readPatternToEnd(upstreamSock), sent);
});
