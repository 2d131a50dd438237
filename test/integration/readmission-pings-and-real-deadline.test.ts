import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';

const NO_SUCH_REALM = JSON.stringify([3, { message: 'no realm "realm1" exists on this router' }, 'wamp.error.no_such_realm']);

/** A router front that refuses the first `refusals` sessions with a PING and then ABORT no_such_realm, and echoes later ones. */
async function refusingRouter(t: import('node:test').TestContext, refusals: number) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (p) => p.values().next().value ?? false });
  const arrivals: number[] = [];
  wss.on('connection', (ws) => {
    arrivals.push(Date.now());
    if (arrivals.length <= refusals) {
      ws.ping('are you there');
      ws.send(NO_SUCH_REALM);
      ws.close(1000);
      return;
    }
    ws.on('message', (d) => ws.send(d.toString()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

function hello(url: string): Promise<unknown[]> {
  const ws = new WebSocket(url, ['wamp.2.json'], { perMessageDeflate: false });
  ws.on('open', () => ws.send('[1, "realm1", {}]'));
  return new Promise((resolve, reject) => {
    ws.once('message', (d) => {
      resolve(JSON.parse(d.toString()) as unknown[]);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

test('a PING before the upstream ABORT does not let the ABORT through: the client is re-admitted', async (t) => {
  const router = await refusingRouter(t, 2);
  const g = await startGate(t, {
    upstream: { url: router.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  assert.deepEqual(await hello(`${g.wsUrl}/ws`), [1, 'realm1', {}], 'the client never saw the ABORT');
  assert.equal(router.arrivals.length, 3);
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_readmissions_total', { realm: 'realm1' }), 2);
});

test('re-admission tries until the real deadline: the last delay is shortened to land on it', async (t) => {
  const router = await refusingRouter(t, Infinity);
  const g = await startGate(t, {
    upstream: { url: router.url },
    realms: [{ name: 'realm1', queueTimeoutMs: 3000 }],
    realmFrom: ['hello'],
    hello: { readmitMaxDelayMs: 2000 },
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const abort = await hello(`${g.wsUrl}/ws`);
  assert.equal(abort[0], 3);
  assert.match((abort[1] as { message: string }).message, /realm "realm1" is not ready yet/);
  // Delays 50, 100, 200, 400, 800 ms put the 6th attempt at ~1,550 ms; the next doubled delay
  // (1,600 ms) would overshoot 3,000 ms, so it is shortened: a 7th attempt at the deadline.
  assert.equal(router.arrivals.length, 7);
  assert.ok(router.arrivals.at(-1)! - router.arrivals[0]! >= 2900, 'the last attempt is at the deadline');
});
