import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { encodeClose, encodeFrame, Opcode } from '../../src/wamp/ws-frames.js';
import { openFds } from '../support/fds.js';
import { startGate, type StartedGate } from '../support/gate.js';
import { upgradeRequest } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

const masked = (opcode: number, payload: string | Buffer, fin = true) => encodeFrame(opcode, Buffer.from(payload), { mask: true, fin });

/** A raw HELLO-peek client: resolves once the gate's 101 arrived; `closed` settles when the gate lets go. */
async function peekClient(port: number): Promise<{ sock: net.Socket; closed: Promise<void> }> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101 ')) return reject(new Error(head));
      // Like a real client: read whatever else comes, answer nothing.
      sock.resume();
      resolve();
    };
    sock.on('data', onData);
    sock.write(upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': 'wamp.2.json' }));
  });
  return { sock, closed };
}

async function settle(g: StartedGate, baseline: number): Promise<void> {
  await until(() => g.gate.pending.size === 0, `pending back to 0 (is ${g.gate.pending.size})`);
  await until(() => openFds() <= baseline, `fds back to baseline ${baseline} (now ${openFds()})`);
}

const N = 40;

test('every HELLO-peek session is freed: invalid HELLO, timeout, oversize, client close, reset, upstream failure', async (t) => {
  const upstream = await startEchoUpstream(t);
  // A port with nothing listening: admitted clients of the unknown (passed) realm meet a dead upstream.
  const dead = net.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as net.AddressInfo).port;
  await new Promise((r) => dead.close(r));
  void upstream;
  const g = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${deadPort}`, connectTimeoutMs: 500 },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
    defaults: { queueTimeoutMs: 300 },
    hello: { timeoutMs: 2000, maxBytes: 1024 },
  });
  const baseline = openFds();
  const paths: Record<string, (c: net.Socket) => void> = {
    invalidHello: (c) => c.write(masked(Opcode.TEXT, '[2, "realm1", {}]')),
    timeout: () => {},
    oversize: (c) => c.write(encodeFrame(Opcode.TEXT, Buffer.alloc(100_000), { mask: true }).subarray(0, 14)),
    fragmentsThenClose: (c) => c.write(Buffer.concat([masked(Opcode.TEXT, '[1, "rea', false), encodeClose(1000, '', { mask: true })])),
    reset: (c) => c.resetAndDestroy(),
    heldThenGone: (c) => c.write(masked(Opcode.TEXT, '[1, "realm1", {}]')),
    upstreamDown: (c) => c.write(masked(Opcode.TEXT, '[1, "elsewhere", {}]')),
  };
  for (const [name, act] of Object.entries(paths)) {
    const clients = await Promise.all(Array.from({ length: N }, () => peekClient(g.port)));
    assert.equal(g.gate.pending.size, N, `${name}: all sessions pending`);
    for (const c of clients) act(c.sock);
    if (name === 'heldThenGone') {
      await until(() => g.gate.admission.depth('realm1') === N, 'held');
      for (const c of clients) c.sock.end();
    }
    await Promise.all(clients.map((c) => c.closed));
    await settle(g, baseline);
    for (const c of clients) c.sock.destroy();
  }
  assert.equal(g.gate.admission.total, 0);
});

test('every HELLO-peek session is freed on drain (before HELLO) and on destroy', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }], realmFrom: ['hello'] });
  const baseline = openFds();
  const early = await Promise.all(Array.from({ length: N }, () => peekClient(g.port)));
  const held = await Promise.all(Array.from({ length: N }, () => peekClient(g.port)));
  for (const c of held) c.sock.write(masked(Opcode.TEXT, '[1, "realm1", {}]'));
  await until(() => g.gate.admission.depth('realm1') === N, 'held');
  void g.gate.close();
  await Promise.all([...early, ...held].map((c) => c.closed));
  await settle(g, baseline);
  assert.equal(g.gate.pending.size, 0);
});

test('destroy() frees sessions that are mid-HELLO', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }], realmFrom: ['hello'] });
  const baseline = openFds();
  const clients = await Promise.all(Array.from({ length: N }, () => peekClient(g.port)));
  for (const c of clients) c.sock.write(masked(Opcode.TEXT, '[1, "rea', false));
  g.gate.destroy();
  await Promise.all(clients.map((c) => c.closed));
  assert.equal(g.gate.pending.size, 0);
  await until(() => openFds() <= baseline - 2, 'fds back below baseline (listeners closed too)');
});
