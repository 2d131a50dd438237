/**
 * Fault checks around the Crossbar master (crossbar readiness source against SimulatedMaster):
 * master down at start, master killed mid-run and restarted, routes vanishing.
 * One gate process and one master for the sequence; each step is a row.
 */
import { generateCryptosignKey } from '../src/crossbar/cryptosign.js';
import { clusterWorkerIds, singleNodeMaster } from '../src/demo/cluster.js';
import { SimulatedProxyTransport } from '../src/simulator/proxy-transport.js';
import { crashCount } from './bad-input.js';
import { row, type CheckRow } from './check-row.js';
import { freePort, poll, upgrade, upgradeHead } from './clients.js';
import { startGateProcess, type GateProcess } from './gate-process.js';

const WORKERS = clusterWorkerIds(2);
const G = 'faults';

const ready = async (gate: GateProcess): Promise<boolean> => (await fetch(`http://127.0.0.1:${gate.adminPort}/health/ready/realm1`)).status === 200;

/** Runs the three master-related checks; `queueTimeoutMs` bounds every hold. */
export async function runMasterFaults(opts: { queueTimeoutMs?: number } = {}): Promise<CheckRow[]> {
  const queueTimeoutMs = opts.queueTimeoutMs ?? 5000;
  const rows: CheckRow[] = [];
  const key = generateCryptosignKey();
  const master = singleNodeMaster({ superuser: key.publicKeyHex, arealmStatus: 'RUNNING' });
  const proxy = new SimulatedProxyTransport({ workers: 2 });
  proxy.startRoute('realm1');
  const up = await proxy.listen();
  const masterPort = await freePort();
  let gate: GateProcess | undefined;
  try {
    // 1. Master down at start: the gate starts, is live, holds clients, and admits them once the master appears.
    gate = await startGateProcess({
      listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
      upstream: { url: up.url },
      realms: [{ name: 'realm1', queueTimeoutMs }],
      readiness: { sources: [{ type: 'crossbar', url: `ws://127.0.0.1:${masterPort}/ws`, authid: 'realmgate', privateKeyEnv: 'RG_KEY',
        node: 'node1', webcluster: 'cluster1', pollIntervalMs: 300, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } }] },
      log: { level: 'info' },
    }, { env: { RG_KEY: key.seedHex } });
    const live = (await fetch(`http://127.0.0.1:${gate.adminPort}/health/live`)).status;
    const readyBefore = await ready(gate);
    const heldClient = upgrade(gate.port, upgradeHead('/ws?realm=realm1'), undefined, 60_000);
    const heldSeen = await poll(async () => (await gate!.admin<{ queues: { total: number } }>('/status')).queues.total === 1, 10_000);
    for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
    const t0 = performance.now();
    await master.listen({ port: masterPort });
    const admitted = await heldClient;
    const admitMs = Math.round(performance.now() - t0);
    admitted.socket.destroy();
    rows.push(row(G, 'master down at start', {
      'live 200': live === 200, 'not ready while master down': !readyBefore, 'client held': heldSeen, 'admitted after master up': admitted.status === 101,
      'no crash': crashCount(gate) === 0,
    }, { live, readyBefore, heldSeen, admittedStatus: admitted.status, msFromMasterUpToAdmit: admitMs }));

    // 2. Master killed mid-run (sessions cut) and restarted; routes vanish while it is away.
    master.destroy();
    await poll(async () => (await gate!.admin<{ sources: { up: boolean }[] }>('/status')).sources.every((s) => !s.up), 10_000);
    const duringDown = await upgrade(gate.port, upgradeHead('/ws?realm=realm1'), undefined, 10_000);
    duringDown.socket.destroy();
    for (const w of WORKERS) master.stopRoute('node1', w, 'realm1');
    proxy.stopRoute('realm1');
    const t1 = performance.now();
    await master.listen({ port: masterPort });
    const regated = await poll(async () => !(await ready(gate!)), 15_000);
    const regateMs = Math.round(performance.now() - t1);
    rows.push(row(G, 'master killed mid-run and restarted', {
      'last known state kept while down (onStale keep)': duringDown.status === 101, 'realm re-gated after restart': regated, 'no crash': crashCount(gate) === 0,
    }, { statusWhileMasterDown: duringDown.status, msFromRestartToRegate: regateMs }));

    // 3. Routes vanished: new clients are held and answered 503 + Retry-After at their deadline, not later.
    const t2 = performance.now();
    const held = await upgrade(gate.port, upgradeHead('/ws?realm=realm1'), undefined, queueTimeoutMs + 10_000);
    const heldMs = Math.round(performance.now() - t2);
    for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
    proxy.startRoute('realm1');
    const back = await poll(() => ready(gate!), 15_000);
    const after = await upgrade(gate.port, upgradeHead('/ws?realm=realm1'), undefined, 10_000);
    held.socket.destroy();
    // Routes vanish with the master up: re-gated by the route event; the open tunnel is left alone.
    const t3 = performance.now();
    for (const w of WORKERS) master.stopRoute('node1', w, 'realm1');
    const regatedLive = await poll(async () => !(await ready(gate!)), 10_000);
    const regateLiveMs = Math.round(performance.now() - t3);
    await new Promise((r) => setTimeout(r, 300));
    const tunnelKept = !after.socket.destroyed && after.socket.readyState === 'open';
    after.socket.destroy();
    const retry = /\r\nretry-after: *(\d+)/i.exec(held.head)?.[1];
    rows.push(row(G, 'routes vanishing', {
      'held client answered 503 + Retry-After': held.status === 503 && retry !== undefined,
      'not held past its deadline (+1 s)': heldMs <= queueTimeoutMs + 1000,
      'routes back → admitted': back && after.status === 101,
      're-gated when routes stop (master up)': regatedLive, 'open tunnel kept': tunnelKept, 'no crash': crashCount(gate) === 0,
    }, { heldClientStatus: held.status, retryAfter: retry ?? '-', heldForMs: heldMs, queueTimeoutMs, statusAfterRoutesBack: after.status, msFromRouteStopToRegate: regateLiveMs, tunnelKept }));
  } finally {
    gate?.kill();
    master.destroy();
    proxy.destroy();
  }
  return rows;
}
