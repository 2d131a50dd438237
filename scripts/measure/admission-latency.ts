/**
 * Measures, for the closing notes (not a test: numbers, no assertions):
 *  1. upgrade-time realm: http control plane flips → held client's WebSocket open (intervalMs 1000 and 50);
 *  2. the gate's own part: registry transition → held client's open;
 *  3. HELLO mode, readmitOnAbort on vs off when every connection succeeds first time:
 *     handshake + HELLO → WELCOME latency through the gate.
 * Usage: npx tsx scripts/measure/admission-latency.ts [runs]
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { parseConfig } from '../../src/config/load.js';
import { createRealmgate } from '../../src/realmgate.js';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { encodeMessage, parseSubprotocol } from '../../src/wamp/serializers.js';

const runs = Number(process.argv[2] ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(2)} ms, p90 ${p(xs, 0.9).toFixed(2)} ms, min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)} (n=${xs.length})`;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function flipLatency(intervalMs: number) {
  const proxy = new SimulatedProxyTransport();
  const up = await proxy.listen();
  let ready = false;
  const cp = createServer((_q, res) => res.end(JSON.stringify({ realms: { realm1: ready } })));
  const cpPort = await listen(cp);
  const gate = await createRealmgate(parseConfig(JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: up.url }, realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'http', url: `http://127.0.0.1:${cpPort}/`, intervalMs }] },
  }), { env: {} }));
  const { listen: l } = await gate.start();
  const endToEnd: number[] = [];
  const internal: number[] = [];
  for (let i = 0; i < runs; i++) {
    ready = false;
    await waitUntil(() => !gate.registry.isReady('realm1'));
    const ws = new WebSocket(`ws://127.0.0.1:${l.port}/ws?realm=realm1`, ['wamp.2.json'], { perMessageDeflate: false });
    await waitUntil(() => gate.admission.depth('realm1') === 1);
    // Random phase against the poll, as in production.
    await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
    let transitionAt = 0;
    gate.registry.once('change', () => (transitionAt = performance.now()));
    const flippedAt = performance.now();
    ready = true;
    await new Promise((r) => ws.once('open', r));
    const openAt = performance.now();
    endToEnd.push(openAt - flippedAt);
    internal.push(openAt - transitionAt);
    ws.terminate();
  }
  gate.destroy();
  proxy.destroy();
  cp.close();
  return { endToEnd, internal };
}

async function helloLatency(readmitOnAbort: boolean) {
  const proxy = new SimulatedProxyTransport();
  const up = await proxy.listen();
  proxy.startRoute('realm1');
  const gate = await createRealmgate(parseConfig(JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: up.url }, realms: [{ name: 'realm1' }], realmFrom: ['hello'], hello: { readmitOnAbort },
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  }), { env: {} }));
  const { listen: l } = await gate.start();
  const sp = parseSubprotocol('wamp.2.json')!;
  const one = async (url: string) => {
    const t0 = performance.now();
    const ws = new WebSocket(url, ['wamp.2.json'], { perMessageDeflate: false });
    await new Promise((r) => ws.once('open', r));
    ws.send(encodeMessage(sp, [1, 'realm1', { roles: { caller: {} } }]));
    await new Promise((r) => ws.once('message', r));
    const dt = performance.now() - t0;
    ws.terminate();
    return dt;
  };
  const viaGate: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < runs * 5; i++) {
    direct.push(await one(up.wsUrl));
    viaGate.push(await one(`ws://127.0.0.1:${l.port}/ws`));
  }
  gate.destroy();
  proxy.destroy();
  return { viaGate, direct };
}

async function waitUntil(f: () => boolean) {
  while (!f()) await new Promise((r) => setTimeout(r, 1));
}

for (const interval of [1000, 50]) {
  const r = await flipLatency(interval);
  console.log(`http source intervalMs=${interval}: flip → open: ${fmt(r.endToEnd)}`);
  console.log(`http source intervalMs=${interval}: registry transition → open (the gate's own part): ${fmt(r.internal)}`);
}
const on = await helloLatency(true);
const off = await helloLatency(false);
console.log(`HELLO → WELCOME direct:                 ${fmt(on.direct)}`);
console.log(`HELLO → WELCOME via gate, readmit on:   ${fmt(on.viaGate)}`);
console.log(`HELLO → WELCOME via gate, readmit off:  ${fmt(off.viaGate)}`);
console.log(`readmitOnAbort cost (median on - off): ${(median(on.viaGate) - median(off.viaGate)).toFixed(3)} ms`);
process.exit(0);
