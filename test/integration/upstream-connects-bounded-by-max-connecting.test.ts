import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { openRawTunnel } from '../support/raw-upstream.js';
import { until } from '../support/wait.js';

const request = (n: number): string =>
  `GET /ws?realm=realm1&n=${n} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

interface Status { upstreamConnects: { inFlight: number; waiting: number; max: number } }

/**
 * An upstream that reads each upgrade request and answers only when told: the connections it
 * has accepted and not answered are exactly what a listen queue would have to hold.
 */
async function startSlowUpstream(t: { after(fn: () => void): void }) {
  const unanswered: net.Socket[] = [];
  const seen: string[] = [];
  let maxUnanswered = 0;
  const server = net.createServer((sock) => {
    sock.on('error', () => sock.destroy());
    let head = '';
    const onData = (c: Buffer): void => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      seen.push(new URL(head.split(' ')[1]!, 'http://x').searchParams.get('n')!);
    };
    sock.on('data', onData);
    unanswered.push(sock);
    maxUnanswered = Math.max(maxUnanswered, unanswered.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return {
    port: (server.address() as net.AddressInfo).port,
    unanswered,
    seen,
    get maxUnanswered() { return maxUnanswered; },
    /** Answers the oldest unanswered connection with a 101. */
    answerOne(): void {
      unanswered.shift()!.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    },
  };
}

test('released clients open at most upstream.maxConnecting unanswered upstream connections; the rest wait in order, and one that leaves never connects', async (t) => {
  const upstream = await startSlowUpstream(t);
  const { port, gate, adminUrl } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${upstream.port}`, maxConnecting: 2 },
    realms: [{ name: 'realm1' }],
  });
  const status = async (): Promise<Status['upstreamConnects']> => ((await (await fetch(`${adminUrl}/status`)).json()) as Status).upstreamConnects;

  // Held one by one, so their order is known.
  const opened: Promise<unknown>[] = [];
  for (let n = 0; n < 8; n++) {
    opened.push(openRawTunnel(port, request(n)).then((r) => { r.sock.destroy(); return n; }, () => `failed ${n}`));
    await until(() => gate.admission.depth('realm1') === n + 1, `client ${n} held`);
  }
  const leaver = net.connect(port, '127.0.0.1');
  leaver.on('error', () => {});
  leaver.write(request(99));
  await until(() => gate.admission.depth('realm1') === 9, 'the leaving client held');

  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
  // The gate has decided what to open: 2 connecting, 7 waiting for a slot (the upstream sees only 2).
  assert.deepEqual(await until(async () => { const s = await status(); return s.waiting === 7 ? s : undefined; }, '7 waiting'), { inFlight: 2, waiting: 7, max: 2 });
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.match(metrics, /^realmgate_upstream_connects\{state="in_flight"\} 2$/m);
  assert.match(metrics, /^realmgate_upstream_connects\{state="waiting"\} 7$/m);
  await until(() => upstream.seen.length === 2, 'two requests upstream');
  assert.equal(upstream.unanswered.length, 2);

  // A waiting client that hangs up leaves the line: its connect never opens.
  leaver.destroy();
  await until(async () => (await status()).waiting === 6, 'the leaver out of the line');

  for (let answered = 0; answered < 8; answered++) {
    await until(() => upstream.unanswered.length === Math.min(2, 8 - answered), `connection ${answered} upstream`);
    upstream.answerOne();
  }
  assert.deepEqual(await Promise.all(opened), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(upstream.maxUnanswered, 2);
  assert.deepEqual(upstream.seen, ['0', '1', '2', '3', '4', '5', '6', '7']);
  assert.deepEqual(await until(async () => { const s = await status(); return s.inFlight === 0 ? s : undefined; }, 'slots given back'), { inFlight: 0, waiting: 0, max: 2 });
});
