/**
 * Fault checks on the data path: upstream refusing connections, a slow HELLO (one byte per second),
 * and SIGTERM with many open tunnels.
 */
import { crashCount } from './bad-input.js';
import { row, type CheckRow } from './check-row.js';
import { freePort, helloFrame, poll, sleep, upgrade, upgradeHead } from './clients.js';
import { fdsSettle, startGateProcess } from './gate-process.js';
import { startUpstreamProcess } from './upstream-process.js';

const G = 'faults';
const base = (upstreamUrl: string, over: object = {}) => ({
  listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
  upstream: { url: upstreamUrl, connectTimeoutMs: 3000 },
  realms: [{ name: 'realm1' }],
  readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  log: { level: 'info' },
  ...over,
});

/**
 * `clients` upgrade-time and `clients` HELLO-mode clients against an upstream that refuses connections:
 * each is retried until its deadline (queueTimeoutMs), then answered 503 upstream_unavailable / ABORT + close 1000.
 */
export async function runUpstreamRefusing(clients = 200): Promise<CheckRow> {
  const gate = await startGateProcess(base(`http://127.0.0.1:${await freePort()}`, { defaults: { queueTimeoutMs: 1000 } }));
  try {
    await sleep(300);
    const fdBefore = gate.fdCount();
    const upgrades = await Promise.all(Array.from({ length: clients }, () => upgrade(gate.port, upgradeHead('/ws?realm=realm1'), undefined, 15_000)));
    const hellos = await Promise.all(Array.from({ length: clients }, async () => {
      const u = await upgrade(gate.port, upgradeHead('/ws'), helloFrame('realm1'), 15_000);
      return (await u.closed).wsClose;
    }));
    for (const u of upgrades) u.socket.destroy();
    const s503 = upgrades.filter((u) => u.status === 503).length;
    const c1000 = hellos.filter((c) => c === 1000).length;
    const fdAfter = await fdsSettle(gate, fdBefore);
    return row(G, 'upstream refusing connections', {
      'every upgrade answered 503 at its deadline': s503 === clients, 'every HELLO client got the ABORT and close 1000': c1000 === clients,
      'fds back to baseline': fdAfter <= fdBefore, 'no crash': crashCount(gate) === 0,
    }, { upgradeClients: clients, answered503: s503, helloClients: clients, closed1000: c1000, fdBefore, fdAfter });
  } finally {
    gate.kill();
  }
}

/** One client sends its HELLO one byte per second; others are served meanwhile; the slow one is closed at hello.timeoutMs. */
export async function runSlowHello(opts: { timeoutMs?: number; others?: number } = {}): Promise<CheckRow> {
  const timeoutMs = opts.timeoutMs ?? 4000;
  const others = opts.others ?? 20;
  const upstream = await startUpstreamProcess(['realm1']);
  const gate = await startGateProcess(base(upstream.url, { hello: { timeoutMs } }));
  try {
    const slow = await upgrade(gate.port, upgradeHead('/ws'));
    const t0 = performance.now();
    const bytes = helloFrame('realm1');
    let sentBytes = 0;
    const dribble = (async () => {
      for (const b of bytes) {
        if (slow.socket.destroyed) return;
        slow.socket.write(Buffer.from([b]));
        sentBytes++;
        await sleep(1000);
      }
    })();
    await sleep(1500);
    // Other clients meanwhile: HELLO-mode joins that must get their WELCOME.
    const served = (await Promise.all(Array.from({ length: others }, async () => {
      const u = await upgrade(gate.port, upgradeHead('/ws'), helloFrame('realm1'), 10_000);
      const first = await Promise.race([u.firstMessage, sleep(10_000).then(() => undefined)]);
      u.socket.destroy();
      return first === 2;
    }))).filter(Boolean).length;
    const { wsClose, at } = await Promise.race([slow.closed, sleep(timeoutMs + 10_000).then(() => ({ wsClose: undefined, at: NaN }))]);
    const closedAfterMs = Math.round(at - t0);
    slow.socket.destroy();
    await dribble;
    return row(G, 'slow HELLO (one byte per second)', {
      'others served meanwhile': served === others, 'slow client closed 1008': wsClose === 1008,
      'closed by hello.timeoutMs (+1 s)': closedAfterMs <= timeoutMs + 1000, 'no crash': crashCount(gate) === 0,
    }, { helloTimeoutMs: timeoutMs, slowBytesSent: sentBytes, helloFrameBytes: bytes.length, slowClosedAfterMs: closedAfterMs, slowCloseCode: wsClose ?? '-', othersServed: `${served}/${others}` });
  } finally {
    gate.kill();
    upstream.stop();
  }
}

/** `tunnels` open tunnels and a few held clients, then SIGTERM: exit 0 within delayMs + drainTimeoutMs (+ margin). */
export async function runSigtermWithTunnels(opts: { tunnels?: number; delayMs?: number; drainTimeoutMs?: number; held?: number } = {}): Promise<CheckRow> {
  const n = opts.tunnels ?? 1000;
  const delayMs = opts.delayMs ?? 1000;
  const drainTimeoutMs = opts.drainTimeoutMs ?? 3000;
  const heldN = opts.held ?? 20;
  const marginMs = 2000;
  const upstream = await startUpstreamProcess(['realm1']);
  const gate = await startGateProcess(base(upstream.url, {
    realms: [{ name: 'realm1' }, { name: 'realm2', queueTimeoutMs: 120_000 }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    shutdown: { delayMs, drainTimeoutMs },
  }));
  try {
    const opened = [];
    for (let i = 0; i < n; i += 250) {
      opened.push(...await Promise.all(Array.from({ length: Math.min(250, n - i) }, () => upgrade(gate.port, upgradeHead('/ws?realm=realm1'), undefined, 30_000))));
    }
    const tunnels = opened.filter((u) => u.status === 101);
    await poll(async () => (await gate.admin<{ tunnels: { total: number } }>('/status')).tunnels.total >= tunnels.length, 10_000);
    const held = Array.from({ length: heldN }, () => upgrade(gate.port, upgradeHead('/ws?realm=realm2'), undefined, 60_000));
    await poll(async () => (await gate.admin<{ queues: { total: number } }>('/status')).queues.total === heldN, 10_000);
    const t0 = performance.now();
    gate.child.kill('SIGTERM');
    const exit = await Promise.race([gate.exited, sleep(delayMs + drainTimeoutMs + 30_000).then(() => undefined)]);
    const exitMs = exit ? Math.round(exit.at - t0) : NaN;
    const heldAnswers = await Promise.all(held);
    const drained = heldAnswers.filter((u) => u.status === 503 && /x-realmgate-reason: draining/i.test(u.head)).length;
    const closes = await Promise.all(tunnels.map((u) => Promise.race([u.closed.then(() => true), sleep(5000).then(() => false)])));
    for (const u of [...opened, ...heldAnswers]) u.socket.destroy();
    const closed = closes.filter(Boolean).length;
    return row(G, `SIGTERM with ${n} open tunnels`, {
      [`all ${n} tunnels opened`]: tunnels.length === n, 'exit code 0': exit?.code === 0,
      'exit within delayMs + drainTimeoutMs + 2 s': exitMs <= delayMs + drainTimeoutMs + marginMs,
      'every tunnel closed': closed === tunnels.length, 'held clients answered 503 draining': drained === heldN,
    }, { tunnelsOpen: tunnels.length, heldClients: heldN, delayMs, drainTimeoutMs, exitCode: exit?.code ?? 'none', exitAfterMs: exitMs, tunnelsClosed: closed, heldAnsweredDraining: drained });
  } finally {
    gate.kill();
    upstream.stop();
  }
}
