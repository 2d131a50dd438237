import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { pipeBoth, ReadBuffers } from '../../src/proxy/pipe.js';
import { fillUntilStalled, MAX_ACCEPTED, readPatternToEnd } from '../support/patterned-flood.js';

async function listen(onConnection: (s: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const port = (s: net.Server): number => (s.address() as net.AddressInfo).port;

/**
 * The reused-buffer pipe writes a view of its read buffer and, when that write does not reach the
 * kernel at once, must stop reading until it is done (or the next read overwrites the bytes being
 * written), and must start reading again once it is. Driven on pipeBoth directly, so the test
 * knows the tunnel did move to reused buffers before its peer stalls.
 */
test('a tunnel on reused read buffers stops reading while its peer does not read, then delivers every byte intact', { timeout: 60_000 }, async (t) => {
  // far end of the "upstream" ← gate's upstream socket ⇄ gate's client socket ← client
  let far: net.Socket | undefined;
  const farServer = await listen((s) => { far = s; });
  t.after(() => { far?.destroy(); farServer.close(); });
  const pool = new ReadBuffers({ maxBuffers: 2 });
  let closedBy: string | undefined;
  const gateServer = await listen((client) => {
    const upstream = net.connect({ port: port(farServer), host: '127.0.0.1', allowHalfOpen: true });
    upstream.once('connect', () => {
      const handle = pipeBoth(client, upstream, (by) => { closedBy = by; });
      handle.useReadBuffers(pool);
    });
  });
  t.after(() => gateServer.close());
  const sock = net.connect({ port: port(gateServer), host: '127.0.0.1', allowHalfOpen: true });
  t.after(() => sock.destroy());
  await once(sock, 'connect');

  // Small messages echoed one at a time: the chunks after which the pipe moves to the pool.
  while (far === undefined) await new Promise((r) => setImmediate(r));
  far.on('data', (c: Buffer) => far!.write(c));
  for (let i = 0; i < 12 && pool.inUse === 0; i++) {
    sock.write(`ping ${i}`);
    await once(sock, 'data');
  }
  for (let i = 0; i < 20 && pool.inUse === 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(pool.inUse, 2, 'the tunnel moved to reused read buffers');
  far.removeAllListeners('data');
  far.pause();

  // The far end stops reading: the pipe must stop taking the client's bytes.
  const { sent, accepted } = await fillUntilStalled(sock, 4 * MAX_ACCEPTED, 1000);
  assert.ok(accepted < MAX_ACCEPTED, `the stalled tunnel took ${accepted} bytes (bound ${MAX_ACCEPTED})`);

  // The far end reads again: everything arrives, in order, unchanged, and the pipe passes the FIN.
  sock.end();
  assert.equal(await readPatternToEnd(far), sent);
  assert.equal(closedBy, undefined, 'a half-close does not close the tunnel');
});
