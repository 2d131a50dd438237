import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { upgradeRequest } from '../support/raw-http.js';
import { openRawTunnel, startRawUpstream } from '../support/raw-upstream.js';
import { startGate } from '../support/gate.js';

const CHUNK = 64 * 1024;
/** What a sender may push into a stalled tunnel: every socket buffer on the loopback path plus the gate's own read buffer. */
const MAX_ACCEPTED = 48 * 2 ** 20;
const byteAt = (i: number): number => (i * 7 + (i >>> 13)) & 0xff;

function patterned(offset: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = byteAt(offset + i);
  return b;
}

/**
 * Writes patterned chunks while the socket takes them; resolves with the bytes written once a
 * write has waited `quietMs` for 'drain' (the tunnel is stalled) or `limit` bytes are out.
 */
function fillUntilStalled(sock: net.Socket, limit: number, quietMs: number): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const more = (): void => {
      while (sent < limit) {
        const ok = sock.write(patterned(sent, CHUNK));
        sent += CHUNK;
        if (!ok) {
          const timer = setTimeout(() => { sock.off('drain', onDrain); resolve(sent - sock.writableLength); }, quietMs);
          const onDrain = (): void => { clearTimeout(timer); more(); };
          sock.once('drain', onDrain);
          return;
        }
      }
      resolve(sent);
    };
    more();
  });
}

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
  const accepted = await fillUntilStalled(sock, 4 * MAX_ACCEPTED, 1000);
  assert.ok(accepted < MAX_ACCEPTED, `the stalled tunnel took ${accepted} bytes (bound ${MAX_ACCEPTED})`);
  assert.ok(upstreamSock, 'the upstream saw the tunnel');

  // The upstream reads again: everything the client wrote arrives, in order, unchanged.
  const total = accepted + sock.writableLength;
  sock.end();
  let got = 0;
  let bad = -1;
  await new Promise<void>((resolve, reject) => {
    upstreamSock!.on('data', (c: Buffer) => {
      for (let i = 0; i < c.length && bad < 0; i++) if (c[i] !== byteAt(got + i)) bad = got + i;
      got += c.length;
    });
    upstreamSock!.on('end', resolve);
    upstreamSock!.on('error', reject);
    upstreamSock!.resume();
  });
  assert.equal(bad, -1, `byte ${bad} changed in the tunnel`);
  assert.equal(got, total);
});
